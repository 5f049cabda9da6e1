"""Case codes: what a child reads out on the phone so the counsellor finds the shared report.

Eight symbols from 32 that cannot be confused when read aloud or typed — digits 2 to 9 and letters without
I and O, so no 0/O and no 1/I — grouped 4-4: `K7QM-4X2P`. 8 symbols of 5 bits = 40 bits drawn from the operating
system's CSPRNG: against a rate-limited lookup, guessing a live code is hopeless. Input is forgiving about
case, spaces and dashes, and nothing else: a code with a 0, O, 1 or I was misread, and is refused rather
than "corrected" into somebody else's case.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
LENGTH = 8
BITS = 40
assert len(ALPHABET) ** LENGTH == 2**BITS  # noqa: S101 - a property of the constants, checked at import

_SEPARATORS = re.compile(r"[\s\-_.]+")


def generate() -> str:
    """A new code in its canonical, ungrouped form (`K7QM4X2P`)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize(typed: str) -> str | None:
    """The canonical form of what someone typed or read out, or None if it cannot be a code."""
    candidate = _SEPARATORS.sub("", typed).upper()
    if len(candidate) != LENGTH or any(ch not in ALPHABET for ch in candidate):
        return None
    return candidate


def display(code: str) -> str:
    """`K7QM4X2P` → `K7QM-4X2P`: two groups of four are easier to read out and to keep in mind."""
    return f"{code[:4]}-{code[4:]}"
