"""PDQ, Meta's perceptual hash for pictures, to notice the same picture reported again after re-encoding.

A SHA-256 changes with every re-save; PDQ barely moves when a picture is recompressed, resized or
slightly recoloured, so two reports of one picture spread around land within a small Hamming distance
(31 of 256 bits is the threshold Meta publishes for "same picture"). The hash is computed by `pdqhash`,
Cython bindings to Meta's own C++ reference code (ADR 0011), and written as the 64 hex digits the
reference tools and ThreatExchange use (most significant bit first).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pdqhash  # type: ignore[import-untyped]

from relais.evidence.images import upright_rgb

HASH_SIDE = 1024
"""Pictures are reduced to at most this side before hashing: PDQ works on a 64 x 64 downsample anyway, and a
40-megapixel RGB array would cost 120 MB of memory."""

REFERENCE_THRESHOLD = 31
"""Meta's published match threshold for PDQ (Hamming distance, out of 256 bits)."""


@dataclass(frozen=True)
class Pdq:
    hex: str
    """256 bits as 64 lowercase hex digits."""
    quality: int
    """0 to 100: below ~50 the picture is too flat (blank, a solid colour) for matches to mean much."""


def pdq_of(data: bytes) -> Pdq:
    """The PDQ hash of a picture that passed images.inspect_image."""
    pixels = np.asarray(upright_rgb(data, max_side=HASH_SIDE), dtype=np.uint8)
    bits, quality = pdqhash.compute(pixels)
    return Pdq(hex=np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes().hex(), quality=int(quality))


def distance(a: str, b: str) -> int:
    """Hamming distance between two hex PDQ hashes."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def close_to(target: str, candidates: list[tuple[str, str]], *, max_distance: int) -> list[str]:
    """The keys of `candidates` — (key, hex) pairs — within `max_distance` of `target`.

    A linear scan: about 0.3 µs per stored hash here, so 100,000 earlier pictures cost ~30 ms per upload.
    Past a few million, an index (multi-index hashing, as ThreatExchange's tools use) would be needed.
    """
    wanted = int(target, 16)
    return [key for key, other in candidates if (wanted ^ int(other, 16)).bit_count() <= max_distance]
