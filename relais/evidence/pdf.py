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
from relais.evidence.manifest import NextSteps, Pack, PackItem, ReportedItem

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
        "items": "Preuves envoyées par la plateforme (fichiers, textes)",
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
        "reported_count": "Éléments signalés",
        "reported_title": "Contenu signalé, tel que la plateforme l'a transmis",
        "reported_intro": (
            "Voici ce que le signalement décrivait quand la plateforme l'a envoyé : le texte des messages, leur "
            "auteur tel qu'affiché, leur date. Relais a calculé l'empreinte SHA-256 de chaque élément à sa "
            "réception ; elle porte sur sa forme canonique, le fichier indiqué de l'archive ZIP, que "
            "« sha256sum » permet de revérifier sans Relais."
        ),
        "reported_item": "Élément signalé {n} sur {total}",
        "ckind_message": "message",
        "ckind_post": "publication",
        "ckind_comment": "commentaire",
        "ckind_profile": "profil",
        "ckind_image": "image",
        "ckind_video": "vidéo",
        "ckind_live": "direct",
        "ckind_other": "autre",
        "address": "Adresse",
        "sha256_intake": "SHA-256 à la réception (forme canonique : {file})",
        "not_hashed": "non enregistrée : élément reçu avant que Relais ne l'enregistre",
        "no_uploads": (
            "La plateforme n'a envoyé aucun fichier : ce dossier contient le contenu tel que le signalement le "
            "décrivait."
        ),
        "manifest_reported": "Contenu signalé",
        "manifest_items": "Preuves envoyées par la plateforme",
        "next_title": "Que faire de ce dossier ?",
    },
    "en": {
        "title": "Evidence pack",
        "reported_on": "Reported on {platform}",
        "what": "What was reported",
        "reported_at": "Reported on",
        "received_at": "Received by Relais on",
        "platform": "Platform",
        "case_code": "Case code (helpline)",
        "items": "Evidence the platform sent (files, texts)",
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
        "reported_count": "Reported items",
        "reported_title": "Reported content, as the platform sent it",
        "reported_intro": (
            "This is what the report described when the platform sent it: the messages' text, their author as "
            "shown, when they were posted. Relais took each item's SHA-256 fingerprint on receipt; it covers the "
            "item's canonical form, the named file of the ZIP archive, which `sha256sum` re-checks without Relais."
        ),
        "reported_item": "Reported item {n} of {total}",
        "ckind_message": "message",
        "ckind_post": "post",
        "ckind_comment": "comment",
        "ckind_profile": "profile",
        "ckind_image": "picture",
        "ckind_video": "video",
        "ckind_live": "live stream",
        "ckind_other": "other",
        "address": "Address",
        "sha256_intake": "SHA-256 at intake (canonical form: {file})",
        "not_hashed": "not recorded: the item was received before Relais recorded it",
        "no_uploads": "The platform sent no files: this pack holds the content as the report described it.",
        "manifest_reported": "Reported content",
        "manifest_items": "Evidence the platform sent",
        "next_title": "What to do with this pack",
    },
}


# "What to do with this pack", France. Each fact was checked against these sources (ADR 0011 lists them too):
# - complaint at any police station or gendarmerie, which must record it, or by letter to the procureur de la
#   République of the tribunal judiciaire where it happened or where the author lives: service-public.fr
#   "Porter plainte" (F1435, checked 15/03/2022, as republished by mairies) and "Déposer plainte" (F34124);
#   Code de procédure pénale art. 15-3.
# - pré-plainte en ligne, https://www.pre-plainte-en-ligne.gouv.fr/: author unknown, offences against property
#   or discriminatory facts (discrimination, defamation, insult, incitement to hatred); the complaint is signed
#   afterwards at the police station or gendarmerie: service-public.fr F1435; the site's own legal page
#   (ministère de l'Intérieur, DGPN/DGGN); cote-dor.gouv.fr and bouches-du-rhone.gouv.fr pages on the service.
# - PHAROS, https://www.internet-signalement.gouv.fr/: public illegal content (cyberharassment named), run by
#   police and gendarmes; private messages from someone known go to a police station instead:
#   service-public.fr R17674 (checked 22/09/2025); moncommissariat.interieur.gouv.fr (07/02/2024).
# - the 3018: free, anonymous, confidential, every day 09:00-23:00, phone, chat on 3018.fr and the 3018 app,
#   psychologists, lawyers and digital experts, accelerated removal with the platforms:
#   /work/shared/research/helplines-fr.md (Secrétariat d'État chargé de l'Enfance, 13/02/2023; e-Enfance).
# - 17 (police, gendarmerie) and 112: the same file, "Emergency numbers".
NEXT_STEPS_FRANCE: dict[str, tuple[tuple[str, str], ...]] = {
    "fr": (
        (
            "Garde ce dossier tel quel",
            "Ne modifie pas les fichiers et ne les retape pas : chaque empreinte SHA-256 montre qu'un fichier n'a "
            "pas changé depuis que Relais l'a reçu, et un fichier modifié ne correspondrait plus. Tu peux "
            "l'imprimer, ou le copier tel quel sur une clé USB.",
        ),
        (
            "Porter plainte",
            "Tu peux porter plainte au commissariat de police ou à la brigade de gendarmerie de ton choix : ils "
            "sont obligés d'enregistrer ta plainte. Tu peux aussi écrire au procureur de la République du "
            "tribunal judiciaire du lieu des faits ou du domicile de l'auteur. Apporte ou joins ce dossier. Un "
            "parent ou un adulte de confiance peut t'accompagner.",
        ),
        (
            "La pré-plainte en ligne",
            "Sur https://www.pre-plainte-en-ligne.gouv.fr/, si tu ne sais pas qui est l'auteur et pour certains "
            "faits (injure, diffamation, discrimination, provocation à la haine, atteintes aux biens), tu peux "
            "déclarer les faits en ligne et choisir un rendez-vous ; la plainte est ensuite signée au "
            "commissariat ou à la gendarmerie.",
        ),
        (
            "Signaler un contenu illicite sur PHAROS",
            "Un contenu public (visible de tous) et illégal peut être signalé aux policiers et gendarmes de "
            "PHAROS sur https://www.internet-signalement.gouv.fr/. Pour des messages privés d'une personne que "
            "tu connais, porte plutôt plainte.",
        ),
        (
            "Le 3018 peut t'aider",
            "Gratuit, anonyme et confidentiel, 7 jours sur 7 de 9 h à 23 h : par téléphone au 3018, par tchat "
            "sur 3018.fr ou avec l'application 3018. Ses psychologues, juristes et experts du numérique "
            "t'écoutent, te conseillent et peuvent faire retirer des contenus par les plateformes.",
        ),
        ("En danger", "Si tu es en danger maintenant, appelle le 17 (police, gendarmerie) ou le 112."),
    ),
    "en": (
        (
            "Keep this pack as it is",
            "Do not edit the files or retype them: each SHA-256 fingerprint shows that a file has not changed "
            "since Relais received it, and an edited file would no longer match. You can print it, or copy it "
            "unchanged onto a USB stick.",
        ),
        (
            "File a complaint (porter plainte)",
            "You can file a complaint at any police station (commissariat) or gendarmerie: they must record it. "
            "You can also write to the public prosecutor (procureur de la République) of the court (tribunal "
            "judiciaire) where it happened or where the author lives. Bring or enclose this pack. A parent or "
            "a trusted adult can go with you.",
        ),
        (
            "Pre-complaint online (pré-plainte en ligne)",
            "At https://www.pre-plainte-en-ligne.gouv.fr/, when you do not know who the author is and for some "
            "offences (insult, defamation, discrimination, incitement to hatred, offences against property), "
            "you can declare the facts online and choose an appointment; the complaint is then signed at the "
            "police station or gendarmerie.",
        ),
        (
            "Report illegal content to PHAROS",
            "Public (visible to everyone), illegal content can be reported to the police officers and gendarmes "
            "of PHAROS at https://www.internet-signalement.gouv.fr/. For private messages from someone you "
            "know, file a complaint instead.",
        ),
        (
            "The 3018 can help",
            "Free, anonymous and confidential, every day from 9:00 to 23:00: call 3018, chat on 3018.fr or use "
            "the 3018 app. Its psychologists, lawyers and digital experts listen, give advice, and can have "
            "content removed by the platforms.",
        ),
        ("In danger", "If you are in danger now, call 17 (police, gendarmerie) or 112."),
    ),
}

NEXT_STEPS_ELSEWHERE: dict[str, dict[str, str]] = {
    "fr": {
        "keep": NEXT_STEPS_FRANCE["fr"][0][1],
        "police_title": "Signaler les faits à la police",
        "police": "Tu peux signaler les faits à la police{number} et lui apporter ce dossier. Un parent ou un "
        "adulte de confiance peut t'accompagner.",
        "police_number": " (le {n}) ou dans un poste de police",
        "help_title": "Être aidé",
        "help": "{helpline}, la ligne d'aide de ta carte d'aide, peut t'écouter et te conseiller.",
        "help_any": "Les lignes d'aide de ta carte d'aide peuvent t'écouter et te conseiller.",
        "danger": "Si tu es en danger maintenant, appelle le {n}.",
        "danger_any": "Si tu es en danger maintenant, appelle les secours.",
    },
    "en": {
        "keep": NEXT_STEPS_FRANCE["en"][0][1],
        "police_title": "Tell the police",
        "police": "You can tell the police{number} and bring them this pack. A parent or a trusted adult can go "
        "with you.",
        "police_number": " (on {n}) or at a police station",
        "help_title": "Get help",
        "help": "{helpline}, the helpline on your help card, can listen and give advice.",
        "help_any": "The helplines on your help card can listen and give advice.",
        "danger": "If you are in danger now, call {n}.",
        "danger_any": "If you are in danger now, call the emergency services.",
    },
}


def next_steps_text(steps: NextSteps, language: str) -> tuple[tuple[str, str], ...]:
    """The pack's last page, as (heading, text) pairs: France's own steps, or a general text built from the
    numbers on the reporter's help card."""
    if steps.country == "FR":
        return NEXT_STEPS_FRANCE[language]
    words = NEXT_STEPS_ELSEWHERE[language]
    keep_title = NEXT_STEPS_FRANCE[language][0][0]
    police = words["police_number"].format(n=steps.police) if steps.police else ""
    helpline = words["help"].format(helpline=steps.helpline) if steps.helpline else words["help_any"]
    emergency = steps.emergency or steps.police
    danger = words["danger"].format(n=emergency) if emergency else words["danger_any"]
    danger_title = NEXT_STEPS_FRANCE[language][-1][0]
    return (
        (keep_title, words["keep"]),
        (words["police_title"], words["police"].format(number=police)),
        (words["help_title"], helpline),
        (danger_title, danger),
    )


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
    if pack.reported:
        writer.pdf.add_page()
        writer.heading(writer.words["reported_title"])
        writer.paragraph(writer.words["reported_intro"], size=9.5, colour=(60, 60, 60))
        for reported in pack.reported:
            _reported(writer, reported, len(pack.reported))
    total = len(pack.items)
    for item in pack.items:
        _item(writer, item, total)
    _manifest_page(writer)
    _next_steps_page(writer)
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
    w.field(words["reported_count"], str(len(pack.reported)))
    w.field(words["items"], str(len(pack.items)))
    w.field(words["zone"], w.zone)
    w.field(words["report_id"], report.report_id, mono=True)
    w.pdf.ln(3)
    w.paragraph(words["intro"])
    if not pack.items:
        w.paragraph(words["no_uploads"])
    w.paragraph(
        words["generated"].format(when=when(pack.generated_at, w.zone, pack.language), who=pack.generated_for),
        size=9,
        colour=(80, 80, 80),
    )


def _quote(w: _Writer, text: str) -> None:
    w.pdf.set_draw_color(180, 180, 190)
    w.pdf.set_font(SANS, "", 11)
    w.pdf.set_text_color(0, 0, 0)
    w.pdf.multi_cell(0, 6, readable(text), border=1, padding=3, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _reported(w: _Writer, item: ReportedItem, total: int) -> None:
    """One item as the report described it: the words first, then who, when, where, and its fingerprint."""
    words, language = w.words, w.pack.language
    if w.room_left() < 70:
        w.pdf.add_page()
    else:
        w.pdf.ln(3)
    kind = words.get(f"ckind_{item.kind}", item.kind)
    w.heading(f"{words['reported_item'].format(n=item.number, total=total)} · {kind}", size=13)
    if item.text:
        _quote(w, item.text)
        w.pdf.ln(2)
    if item.author_handle:
        w.field(words["author"], item.author_handle)
    if item.author_profile_url:
        w.field(words["profile"], item.author_profile_url)
    w.field(words["posted_at"], when(item.posted_at, w.zone, language))
    if item.url:
        w.field(words["address"], item.url)
    if item.content_id:
        w.field(words["content_id"], item.content_id)
    w.field(words["sha256_intake"].format(file=item.file_name), item.sha256 or words["not_hashed"], mono=True)


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
        _quote(w, item.text)
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
    words, pack = w.words, w.pack
    w.pdf.add_page()
    w.heading(words["manifest"])
    w.paragraph(words["manifest_intro"], size=9.5)
    if pack.reported:
        w.heading(words["manifest_reported"], size=11)
    for reported in pack.reported:
        kind = words.get(f"ckind_{reported.kind}", reported.kind)
        _manifest_entry(w, f"{reported.number}. {reported.file_name} · {kind}", [f"SHA-256 {reported.sha256 or '-'}"])
    if pack.items:
        w.heading(words["manifest_items"], size=11)
    for item in pack.items:
        kind = words.get(f"kind_{item.kind}", item.kind)
        hashes = [f"SHA-256 {item.sha256}"] + ([f"PDQ     {item.pdq}"] if item.pdq else [])
        _manifest_entry(
            w, f"{item.position}. {item.file_name} · {kind} · {size_text(item.size, pack.language)}", hashes
        )


def _manifest_entry(w: _Writer, title: str, hashes: list[str]) -> None:
    pdf = w.pdf
    pdf.set_font(SANS, "B", 9.5)
    pdf.set_text_color(0, 0, 0)
    pdf.multi_cell(0, 5, readable(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(MONO, "", 8)
    for line in hashes:
        pdf.multi_cell(0, 4.2, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)


def _next_steps_page(w: _Writer) -> None:
    w.pdf.add_page()
    w.heading(w.words["next_title"])
    for title, text in next_steps_text(w.pack.next_steps, w.pack.language):
        w.heading(title, size=11.5)
        w.paragraph(text, size=10.5)
        w.pdf.ln(1.5)
