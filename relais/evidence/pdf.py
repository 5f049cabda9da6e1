"""The evidence pack as a PDF a young person, a parent or a counsellor can hand to the police.

Rendered with fpdf2 (ADR 0011): pure Python, no browser or system library, fonts shipped in this package
(DejaVu Sans, relais/evidence/fonts) so a fresh machine renders the same pages. Text goes through HarfBuzz
(uharfbuzz) and fpdf2's bidirectional algorithm, so Arabic and Hebrew come out joined and right to left.
A character the fonts lack (a rare emoji, a CJK name) is written as `[U+1F979]` rather than drawn as an
empty box: a reader can still look it up, and nothing silently disappears from a quote.

The page's fixed wording lives here, in French and English, because the PDF is built without Django.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos

from relais.evidence.images import jpeg_for_pdf
from relais.evidence.manifest import Pack, PackItem

FONTS = Path(__file__).resolve().parent / "fonts"
SANS = "dejavu"
MONO = "dejavumono"

WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "title": "Dossier de preuves",
        "reported_on": "Signalé sur {platform}",
        "what": "Ce qui a été signalé",
        "reported_at": "Signalé le",
        "received_at": "Reçu par Relais le",
        "platform": "Plateforme",
        "case_code": "Code du dossier (ligne d'écoute)",
        "items": "Nombre d'éléments",
        "zone": "Fuseau horaire de la personne",
        "report_id": "Identifiant du signalement",
        "generated": "Dossier établi le {when} pour {who}",
        "intro": (
            "Relais a conservé chaque élément ci-dessous au moment où la plateforme l'a transmis, chiffré, "
            "sans modification. Son empreinte SHA-256 permet à quiconque de vérifier que le fichier original "
            "(dans l'archive ZIP jointe) est identique, octet pour octet."
        ),
        "item": "Élément {n} sur {total}",
        "kind_text": "texte",
        "kind_image": "image",
        "kind_video": "vidéo",
        "author": "Auteur (tel qu'affiché)",
        "profile": "Profil (tel qu'affiché)",
        "posted_at": "Publié le",
        "item_received_at": "Reçu par Relais le",
        "content_id": "Identifiant sur la plateforme",
        "file": "Fichier",
        "sha256": "SHA-256",
        "pdq": "PDQ (empreinte visuelle)",
        "quality": "qualité",
        "repeat": "Cette image a déjà été signalée {n} fois (même image, d'après son empreinte PDQ).",
        "video": "Vidéo non reproduite dans ce PDF : le fichier original est dans l'archive ZIP ({file}).",
        "image_note": "Image réduite pour ce PDF ; l'original est dans l'archive ZIP ({file}).",
        "manifest": "Manifeste",
        "manifest_intro": (
            "Pour vérifier l'archive ZIP : dans le dossier décompressé, lancer « sha256sum -c SHA256SUMS ». "
            "Chaque ligne doit répondre OK."
        ),
        "unknown": "non indiqué",
        "page": "Relais · dossier {ref} · page {page}/{nb}",
        "bytes": "octets",
    },
    "en": {
        "title": "Evidence pack",
        "reported_on": "Reported on {platform}",
        "what": "What was reported",
        "reported_at": "Reported on",
        "received_at": "Received by Relais on",
        "platform": "Platform",
        "case_code": "Case code (helpline)",
        "items": "Number of items",
        "zone": "The person's time zone",
        "report_id": "Report id",
        "generated": "Pack made on {when} for {who}",
        "intro": (
            "Relais preserved each item below when the platform sent it, encrypted and unchanged. Its SHA-256 "
            "fingerprint lets anyone check that the original file (in the accompanying ZIP archive) is "
            "identical, byte for byte."
        ),
        "item": "Item {n} of {total}",
        "kind_text": "text",
        "kind_image": "image",
        "kind_video": "video",
        "author": "Author (as shown)",
        "profile": "Profile (as shown)",
        "posted_at": "Posted on",
        "item_received_at": "Received by Relais on",
        "content_id": "Id on the platform",
        "file": "File",
        "sha256": "SHA-256",
        "pdq": "PDQ (visual fingerprint)",
        "quality": "quality",
        "repeat": "This image was already reported {n} times (the same picture, by its PDQ fingerprint).",
        "video": "Video not reproduced in this PDF: the original file is in the ZIP archive ({file}).",
        "image_note": "Image reduced for this PDF; the original is in the ZIP archive ({file}).",
        "manifest": "Manifest",
        "manifest_intro": (
            "To check the ZIP archive: in the unzipped folder, run `sha256sum -c SHA256SUMS`. Every line must say OK."
        ),
        "unknown": "not given",
        "page": "Relais · pack {ref} · page {page}/{nb}",
        "bytes": "bytes",
    },
}


@cache
def _glyphs() -> frozenset[int]:
    """Code points every font of the pack can draw (regular, bold and mono share the same coverage here)."""
    regular = set(TTFont(FONTS / "DejaVuSans.ttf").getBestCmap())
    bold = set(TTFont(FONTS / "DejaVuSans-Bold.ttf").getBestCmap())
    return frozenset(regular & bold)


def readable(text: str, has_glyph: Callable[[int], bool] | None = None) -> str:
    """`text` with every character the fonts lack written as `[U+XXXX]` (invisible joiners and variation
    selectors without a glyph are dropped: they only modify their neighbour)."""
    check = has_glyph or _glyphs().__contains__
    out = []
    for char in text:
        code = ord(char)
        if char in "\n\t" or check(code):
            out.append(char)
        elif code in (0x200D, 0xFE0E, 0xFE0F) or 0xE0020 <= code <= 0xE007F:
            continue
        else:
            # Left-to-right marks keep the brackets the right way round inside Arabic or Hebrew text.
            out.append(f"\u200e[U+{code:04X}]\u200e")
    return "".join(out)


def when(instant: datetime | None, zone: str, language: str) -> str:
    """An instant in the person's zone and in UTC, e.g. `25/11/2026 22:59 (Europe/Paris) · 2026-11-25
    21:59:00 UTC`, so nobody has to convert it, and nobody can misread which zone was meant."""
    if instant is None:
        return WORDS[language]["unknown"]
    utc = instant.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M:%S UTC")
    if zone == "UTC":
        return utc
    local = instant.astimezone(ZoneInfo(zone))
    shown = local.strftime("%d/%m/%Y %H:%M:%S" if language == "fr" else "%d %b %Y %H:%M:%S")
    return f"{shown} ({zone}) · {utc}"


def size_text(size: int, language: str) -> str:
    exact = f"{size:,}".replace(",", "\u202f" if language == "fr" else ",")
    if size < 1024:
        return f"{exact} {WORDS[language]['bytes']}"
    value, unit = (size / 1024, "Kio" if language == "fr" else "KiB")
    if value >= 1024:
        value, unit = value / 1024, "Mio" if language == "fr" else "MiB"
    short = f"{value:.1f}"
    if language == "fr":
        short = short.replace(".", ",")
    return f"{short} {unit} ({exact} {WORDS[language]['bytes']})"


class _PackPDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(SANS, size=8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, self.footer_text.replace("{page}", str(self.page_no())), align="C")


class _Writer:
    """Layout helpers over one FPDF document; every string passes through `readable`."""

    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self.words = WORDS[pack.language]
        self.zone = pack.report.zone
        pdf = _PackPDF(orientation="portrait", unit="mm", format="A4")
        pdf.set_margins(18, 16, 18)
        pdf.set_auto_page_break(auto=True, margin=18)
        pdf.add_font(SANS, "", FONTS / "DejaVuSans.ttf")
        pdf.add_font(SANS, "B", FONTS / "DejaVuSans-Bold.ttf")
        pdf.add_font(MONO, "", FONTS / "DejaVuSansMono.ttf")
        pdf.set_text_shaping(True)
        pdf.footer_text = self.words["page"].replace("{ref}", pack.report.report_id[:8])
        pdf.alias_nb_pages("{nb}")
        pdf.set_title(readable(f"{self.words['title']} · {pack.report.platform}"))
        pdf.set_author("Relais")
        pdf.set_creator("Relais")
        pdf.set_creation_date(pack.generated_at)
        pdf.set_lang(pack.language)
        self.pdf = pdf

    def heading(self, text: str, size: float = 16) -> None:
        self.pdf.set_font(SANS, "B", size)
        self.pdf.set_text_color(20, 30, 60)
        self.pdf.multi_cell(0, size * 0.5, readable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(2)

    def paragraph(self, text: str, size: float = 10, colour: tuple[int, int, int] = (0, 0, 0)) -> None:
        self.pdf.set_font(SANS, "", size)
        self.pdf.set_text_color(*colour)
        self.pdf.multi_cell(0, size * 0.5, readable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(1.5)

    def field(self, label: str, value: str, *, mono: bool = False) -> None:
        pdf = self.pdf
        pdf.set_font(SANS, "B", 8.5)
        pdf.set_text_color(80, 80, 80)
        pdf.multi_cell(0, 4.2, readable(label), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(MONO if mono else SANS, "", 9 if mono else 10.5)
        pdf.set_text_color(0, 0, 0)
        pdf.multi_cell(0, 5, readable(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR)
        pdf.ln(1.2)

    def room_left(self) -> float:
        return self.pdf.h - self.pdf.b_margin - self.pdf.get_y()


def render_pdf(pack: Pack) -> bytes:
    writer = _Writer(pack)
    _cover(writer)
    total = len(pack.items)
    for item in pack.items:
        _item(writer, item, total)
    _manifest_page(writer)
    return bytes(writer.pdf.output())


def _cover(w: _Writer) -> None:
    pack, words, report = w.pack, w.words, w.pack.report
    w.pdf.add_page()
    w.heading(words["title"], size=22)
    w.paragraph(words["reported_on"].format(platform=report.platform), size=13, colour=(20, 30, 60))
    w.pdf.ln(3)
    w.field(words["what"], report.category_label)
    w.field(words["reported_at"], when(report.reported_at, w.zone, pack.language))
    w.field(words["received_at"], when(report.received_at, w.zone, pack.language))
    w.field(words["platform"], report.platform)
    if report.case_code:
        w.field(words["case_code"], report.case_code, mono=True)
    w.field(words["items"], str(len(pack.items)))
    w.field(words["zone"], w.zone)
    w.field(words["report_id"], report.report_id, mono=True)
    w.pdf.ln(3)
    w.paragraph(words["intro"])
    w.paragraph(
        words["generated"].format(when=when(pack.generated_at, w.zone, pack.language), who=pack.generated_for),
        size=9,
        colour=(80, 80, 80),
    )


def _item(w: _Writer, item: PackItem, total: int) -> None:
    words, language = w.words, w.pack.language
    if w.pdf.page_no() == 1 or w.room_left() < 110 or item.kind == "image":
        w.pdf.add_page()
    else:
        w.pdf.ln(4)
    kind = words.get(f"kind_{item.kind}", item.kind)
    w.heading(f"{words['item'].format(n=item.position, total=total)} · {kind}", size=14)
    if item.author_handle:
        w.field(words["author"], item.author_handle)
    if item.author_profile_url:
        w.field(words["profile"], item.author_profile_url)
    w.field(words["posted_at"], when(item.posted_at, w.zone, language))
    w.field(words["item_received_at"], when(item.received_at, w.zone, language))
    if item.content_id:
        w.field(words["content_id"], item.content_id)
    w.field(words["file"], f"{item.file_name} · {item.media_type} · {size_text(item.size, language)}")
    w.field(words["sha256"], item.sha256, mono=True)
    if item.pdq:
        w.field(words["pdq"], f"{item.pdq} ({words['quality']} {item.pdq_quality})", mono=True)
    if item.repeat_count:
        w.pdf.set_fill_color(255, 240, 200)
        w.pdf.set_font(SANS, "B", 10)
        w.pdf.set_text_color(90, 50, 0)
        w.pdf.multi_cell(
            0,
            5.5,
            readable(words["repeat"].format(n=item.repeat_count)),
            fill=True,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        w.pdf.ln(2)
    if item.kind == "text":
        w.pdf.set_draw_color(180, 180, 190)
        w.pdf.set_font(SANS, "", 11)
        w.pdf.set_text_color(0, 0, 0)
        w.pdf.multi_cell(0, 6, readable(item.text), border=1, padding=3, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    elif item.kind == "image":
        _picture(w, item)
    else:
        w.paragraph(words["video"].format(file=item.file_name), colour=(60, 60, 60))


def _picture(w: _Writer, item: PackItem) -> None:
    jpeg, width, height = jpeg_for_pdf(item.content)
    pdf = w.pdf
    pdf.ln(1)
    max_w = pdf.w - pdf.l_margin - pdf.r_margin
    max_h = max(40.0, w.room_left() - 14)
    scale = min(max_w / width, max_h / height)
    shown_w, shown_h = width * scale, height * scale
    pdf.image(io.BytesIO(jpeg), x=pdf.l_margin + (max_w - shown_w) / 2, w=shown_w, h=shown_h)
    pdf.ln(2)
    w.paragraph(w.words["image_note"].format(file=item.file_name), size=8.5, colour=(80, 80, 80))


def _manifest_page(w: _Writer) -> None:
    words, pdf = w.words, w.pdf
    pdf.add_page()
    w.heading(words["manifest"])
    w.paragraph(words["manifest_intro"], size=9.5)
    for item in w.pack.items:
        kind = words.get(f"kind_{item.kind}", item.kind)
        pdf.set_font(SANS, "B", 9.5)
        pdf.set_text_color(0, 0, 0)
        pdf.multi_cell(
            0,
            5,
            readable(f"{item.position}. {item.file_name} · {kind} · {size_text(item.size, w.pack.language)}"),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.set_font(MONO, "", 8)
        pdf.multi_cell(0, 4.2, f"SHA-256 {item.sha256}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if item.pdq:
            pdf.multi_cell(0, 4.2, f"PDQ     {item.pdq}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)
