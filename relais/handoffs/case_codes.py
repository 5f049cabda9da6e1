"""Case codes: what a young person reads out on the phone so the counsellor finds the shared report.

Fourteen digits, shown in four groups `4821-093-755-1627` (ADR 0016). Digits because they are the only
symbols read and heard the same way in French and English (letters rhyme: B/D/P/T/V, M/N, and G and J swap
between the two languages), and any phone keypad types them. Thirteen digits are drawn from the operating
system's CSPRNG, the first never 0 (a spreadsheet or a number field would drop it, and a code starting with
0 looks like a French phone number): 9·10^12 codes, 43 bits. The fourteenth is a Damm check digit: a
single misheard digit or two swapped neighbours is caught before any lookup, so the counsellor hears "one
digit is wrong, read it again" instead of "no such case", and the mistake does not count as a guess.

Input is forgiving about spaces, dashes, dots and underscores, and nothing else: a letter in a digit code
was misread, and is refused rather than "corrected" into somebody else's case.

**Legacy codes.** Cases shared before ADR 0016 keep the code the reporter was given: eight symbols from
32 (digits 2 to 9, letters without I and O), `K7QM-4X2P`. `normalize` still accepts them (their length tells
them apart: eight symbols, never fourteen digits) for as long as such a case exists; no new one is made.
"""

from __future__ import annotations

import math
import re
import secrets
from dataclasses import dataclass
from typing import Literal

DIGITS = "0123456789"
RANDOM_DIGITS = 13
"""Drawn at random; the first from 1 to 9."""
LENGTH = RANDOM_DIGITS + 1
"""With the check digit, last."""
GROUPS = (4, 3, 3, 4)
"""Four short groups fit in a listener's memory; the shape is neither a phone number nor a card number."""
BITS = math.log2(9 * 10 ** (RANDOM_DIGITS - 1))
"""Entropy of the random part alone: the check digit adds none."""

LEGACY_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
LEGACY_LENGTH = 8
LEGACY_BITS = 40
STORED_LENGTH = max(LENGTH, LEGACY_LENGTH)
"""The longest canonical code, new or legacy: the database column's length."""

assert BITS >= 40  # noqa: S101 - a property of the constants, checked at import
assert sum(GROUPS) == LENGTH  # noqa: S101
assert len(LEGACY_ALPHABET) ** LEGACY_LENGTH == 2**LEGACY_BITS  # noqa: S101

_SEPARATORS = re.compile(r"[\s\-_.\u2010-\u2015\u2212]+")
"""Spaces (any, non-breaking too), dashes (a phone keyboard may turn - into an en or em dash), dots, underscores."""

# H. Michael Damm's totally anti-symmetric quasigroup of order 10 (2004), as in his thesis and on Wikipedia:
# with it, one check digit catches every single-digit error and every swap of two adjacent digits.
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)

_DIGIT_WORDS = {
    "fr": ("zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"),
    "en": ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
    "de": ("null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun"),
    "nl": ("nul", "één", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen"),
    "es": ("cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"),
    "it": ("zero", "uno", "due", "tre", "quattro", "cinque", "sei", "sette", "otto", "nove"),
    "pt": ("zero", "um", "dois", "três", "quatro", "cinco", "seis", "sete", "oito", "nove"),
    "pl": ("zero", "jeden", "dwa", "trzy", "cztery", "pięć", "sześć", "siedem", "osiem", "dziewięć"),
    "sv": ("noll", "ett", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio"),
}
# Legacy codes hold letters: spelt with the ICAO/NATO alphabet, which French and English radio both use.
_SPELLING = {
    "A": "Alfa",
    "B": "Bravo",
    "C": "Charlie",
    "D": "Delta",
    "E": "Echo",
    "F": "Foxtrot",
    "G": "Golf",
    "H": "Hotel",
    "J": "Juliett",
    "K": "Kilo",
    "L": "Lima",
    "M": "Mike",
    "N": "November",
    "P": "Papa",
    "Q": "Quebec",
    "R": "Romeo",
    "S": "Sierra",
    "T": "Tango",
    "U": "Uniform",
    "V": "Victor",
    "W": "Whiskey",
    "X": "X-ray",
    "Y": "Yankee",
    "Z": "Zulu",
}
assert set(_SPELLING) == set(LEGACY_ALPHABET) - set(DIGITS)  # noqa: S101


@dataclass(frozen=True)
class Misread:
    """Why typed text cannot be a code, so the counsellor knows what to ask the caller again.

    `check_digit`: fourteen digits that do not add up (one digit misheard, or two swapped); `length`: only
    digits, but not fourteen; `characters`: something other than digits (and not a legacy code).
    """

    reason: Literal["check_digit", "length", "characters"]
    digits: int
    """How many digits were typed."""


def check_digit(digits: str) -> str:
    """The Damm check digit of a string of digits."""
    interim = 0
    for ch in digits:
        interim = _DAMM[interim][DIGITS.index(ch)]
    return DIGITS[interim]


def generate() -> str:
    """A new code in its canonical, ungrouped form (`48210937551627`)."""
    random_part = secrets.choice(DIGITS[1:]) + "".join(secrets.choice(DIGITS) for _ in range(RANDOM_DIGITS - 1))
    return random_part + check_digit(random_part)


def read(typed: str) -> str | Misread:
    """What someone typed or read out: its canonical code, or why it cannot be one (normalize and misread)."""
    candidate = _SEPARATORS.sub("", typed).upper()
    if len(candidate) == LEGACY_LENGTH and all(ch in LEGACY_ALPHABET for ch in candidate):
        return candidate  # first: a legacy code may be all digits (2 to 9), one in 65,536
    digits = sum(ch in DIGITS for ch in candidate)
    if digits != len(candidate):
        return Misread("characters", digits)
    if len(candidate) != LENGTH:
        return Misread("length", digits)
    if check_digit(candidate) != "0":  # a string ending in its Damm digit runs the quasigroup back to 0
        return Misread("check_digit", digits)
    return candidate


def normalize(typed: str) -> str | None:
    """The canonical form of what someone typed or read out, or None if it cannot be a code.

    A new code is fourteen digits whose check digit holds; a legacy code (see the module's docstring) is
    eight symbols of the old alphabet, in any case. Separators are dropped; nothing is corrected.
    """
    answer = read(typed)
    return answer if isinstance(answer, str) else None


def misread(typed: str) -> Misread | None:
    """Why `normalize(typed)` is None (None when it is a code). Pure arithmetic on the typed text: it says
    nothing about which codes exist, so a misread is not counted as a guess (ADR 0016)."""
    answer = read(typed)
    return None if isinstance(answer, str) else answer


def is_legacy(code: str) -> bool:
    """A canonical code from before ADR 0016 (eight symbols, letters and digits)."""
    return len(code) == LEGACY_LENGTH


def groups(code: str) -> list[str]:
    """The canonical code cut into the groups it is shown and read in: 4-3-3-4, or 4-4 for a legacy code."""
    sizes = (4, 4) if is_legacy(code) else GROUPS
    out: list[str] = []
    start = 0
    for size in sizes:
        out.append(code[start : start + size])
        start += size
    return out


def display(code: str) -> str:
    """`48210937551627` → `4821-093-755-1627` (a legacy `K7QM4X2P` → `K7QM-4X2P`).

    Dashes, not spaces: one token to copy and paste, whatever the field (ADR 0016). Helpline software sends
    it in a look-up's body, never in a URL (ADR 0030).
    """
    return "-".join(groups(code))


def spoken(code: str, language: str) -> str:
    """The code as words to read out, digit by digit, a long dash between groups:
    `quatre, huit, deux, un — zéro, neuf, trois — …`.

    Digit by digit, never in pairs: French pairs above 69 are compound (soixante-dix-sept is heard as 60 17)
    and differ between France, Belgium and Switzerland (septante). `language` is a language tag (`fr`,
    `fr-BE`, `en`); a language outside relais.languages.REPORTER_LANGUAGES is read in English. Letters of a legacy code are spelt Alfa, Bravo….
    """
    words = _DIGIT_WORDS.get(language.split("-", 1)[0].lower(), _DIGIT_WORDS["en"])
    return " — ".join(
        ", ".join(words[int(ch)] if ch in DIGITS else _SPELLING[ch] for ch in group) for group in groups(code)
    )
