"""What a file is, by its first bytes: the name and the Content-Type a client sends are only claims.

A screenshot renamed `.jpg` that is really a PDF, or a program, must not reach a counsellor's PDF reader as
"an image". Only the handful of formats platforms send as evidence are recognised; anything else is None
and the upload is refused (415). Images are then decoded for real (images.py): a matching signature on a
broken file is still refused there.
"""

from __future__ import annotations

from enum import StrEnum


class MediaType(StrEnum):
    JPEG = "image/jpeg"
    PNG = "image/png"
    WEBP = "image/webp"
    GIF = "image/gif"
    MP4 = "video/mp4"
    WEBM = "video/webm"

    @property
    def kind(self) -> str:
        """The evidence kind a file of this type is: `image` or `video`."""
        return self.value.split("/", 1)[0]

    @property
    def extension(self) -> str:
        return {"image/jpeg": "jpg"}.get(self.value, self.value.split("/", 1)[1])


TEXT = "text/plain; charset=utf-8"
"""The media type of a text item's stored content (its UTF-8 bytes)."""

HEAD_BYTES = 64
"""How much of a file `sniff` needs to see."""

# ISO base media files whose major brand says "MP4 video". HEIC/AVIF pictures and QuickTime share the
# `ftyp` box but are not what the contract accepts, so they are not listed.
_MP4_BRANDS = frozenset(
    {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"dash", b"M4V ", b"mmp4"}
)


def sniff(head: bytes) -> MediaType | None:
    """The accepted type that `head` (the first HEAD_BYTES of a file) starts like, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return MediaType.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return MediaType.PNG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return MediaType.GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return MediaType.WEBP
    if head[4:8] == b"ftyp" and head[8:12] in _MP4_BRANDS:
        return MediaType.MP4
    # Matroska and WebM share the EBML header; the DocType element tells them apart.
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"\x42\x82\x84webm" in head:
        return MediaType.WEBM
    return None
