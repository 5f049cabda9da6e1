"""Decoding an uploaded picture before anything is stored, so a broken or hostile file is refused at the door.

Pillow reads the dimensions from the header first: a 50,000 x 50,000 PNG of a few kilobytes (a
"decompression bomb") is refused before a single pixel is decoded. Then the whole image is decoded, so a
truncated or corrupted file fails here, in the upload's 4xx, and not later inside a counsellor's PDF.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from relais.evidence.sniff import MediaType

_PILLOW_FORMATS = {
    MediaType.JPEG: "JPEG",
    MediaType.PNG: "PNG",
    MediaType.WEBP: "WEBP",
    MediaType.GIF: "GIF",
}

PDF_MAX_SIDE = 1600
"""Pictures are drawn in the PDF at most this many pixels on their long side; the ZIP keeps the original."""


class UnreadableImage(ValueError):
    """The file starts like a picture but cannot be decoded as one."""


class TooManyPixels(ValueError):
    """The picture's stated dimensions exceed the limit (a decompression bomb, or simply too large)."""


@dataclass(frozen=True)
class ImageFacts:
    width: int
    height: int


def inspect_image(data: bytes, media_type: MediaType, *, max_pixels: int) -> ImageFacts:
    """Check that `data` is a whole picture of `media_type` with at most `max_pixels` pixels."""
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that: make every warning an error here.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise TooManyPixels(f"{width} x {height} pixels is more than the {max_pixels:,} allowed")
                if image.format != _PILLOW_FORMATS.get(media_type):
                    raise UnreadableImage(f"the content is {image.format}, not {media_type.value}")
                image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise TooManyPixels(str(exc)) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            if isinstance(exc, TooManyPixels | UnreadableImage):
                raise
            raise UnreadableImage(f"the picture cannot be decoded ({exc})") from None
    if width < 1 or height < 1:
        raise UnreadableImage("the picture has no pixels")
    return ImageFacts(width=width, height=height)


def upright_rgb(data: bytes, *, max_side: int) -> Image.Image:
    """The picture as a person sees it (EXIF rotation applied), in RGB, at most `max_side` on its long side.

    Only called on files that passed `inspect_image`.
    """
    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", (max_side, max_side))  # JPEG: decode at a reduced scale, much faster
        upright = ImageOps.exif_transpose(image)
        if upright.mode in ("RGBA", "LA", "PA") or (upright.mode == "P" and "transparency" in upright.info):
            rgba = upright.convert("RGBA")
            rgb = Image.new("RGB", rgba.size, (255, 255, 255))
            rgb.paste(rgba, mask=rgba.getchannel("A"))
        else:
            rgb = upright.convert("RGB")
    rgb.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return rgb


def jpeg_for_pdf(data: bytes) -> tuple[bytes, int, int]:
    """A reduced JPEG of the picture for the PDF pack (which stays small enough to e-mail), with its size."""
    out = io.BytesIO()
    picture = upright_rgb(data, max_side=PDF_MAX_SIDE)
    picture.save(out, format="JPEG", quality=85)
    return out.getvalue(), picture.width, picture.height
