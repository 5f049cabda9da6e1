"""Case codes, the status workflow and consent scopes. Pure: no database."""

from __future__ import annotations

import math
import re

import pytest

from relais.handoffs import case_codes
from relais.handoffs.consent import check_scope, mask_pseudonym
from relais.handoffs.prefill import uri_with_code
from relais.handoffs.workflow import Status, TransitionError, check_transition

EXAMPLE = "48210937551627"  # the code the docs, the console's hint and the API's schema show


def test_codes_are_fourteen_digits_whose_random_part_alone_carries_over_40_bits() -> None:
    # 13 random digits, the first never 0, then the check digit.
    assert case_codes.RANDOM_DIGITS == 13
    assert case_codes.LENGTH == 14
    assert math.log2(9 * 10**12) == case_codes.BITS
    assert case_codes.BITS >= 40
    assert math.log2(10**12) < 40  # twelve would not have been enough
    codes = {case_codes.generate() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(re.fullmatch(r"[1-9][0-9]{13}", c) for c in codes)
    assert all(case_codes.normalize(c) == c for c in codes)
    # Every digit turns up in every random position: the draw uses them all.
    for position in range(1, case_codes.RANDOM_DIGITS):
        assert {c[position] for c in codes} == set(case_codes.DIGITS)
    assert {c[0] for c in codes} == set("123456789")


def test_the_check_digit_is_damms() -> None:
    # The worked example of Damm's algorithm (Wikipedia, "Damm algorithm"): 572 → 4.
    assert case_codes.check_digit("572") == "4"
    assert case_codes.check_digit("5724") == "0"
    assert case_codes.check_digit(EXAMPLE[:-1]) == EXAMPLE[-1]


def _neighbours(code: str) -> list[str]:
    """Every code a listener may write down instead: one digit wrong, or two neighbours swapped."""
    out = [code[:i] + d + code[i + 1 :] for i in range(len(code)) for d in case_codes.DIGITS if d != code[i]]
    out += [code[:i] + code[i + 1] + code[i] + code[i + 2 :] for i in range(len(code) - 1) if code[i] != code[i + 1]]
    return out


@pytest.mark.parametrize("code", [EXAMPLE, "10000000000008", "99999999999992", "60708090100002", "generated"])
def test_the_check_digit_catches_every_wrong_digit_and_every_swap_of_neighbours(code: str) -> None:
    if code == "generated":
        code = case_codes.generate()
    assert case_codes.normalize(code) == code
    wrong = _neighbours(code)
    assert len(wrong) >= 9 * 14
    for typed in wrong:
        assert case_codes.normalize(typed) is None, typed
        assert case_codes.misread(typed) == case_codes.Misread("check_digit", 14), typed


@pytest.mark.parametrize(
    "typed",
    [
        "4821-093-755-1627",
        "4821 093 755 1627",
        " 48210937551627 ",
        "4821.093.755.1627",
        "48 21 09 37 55 16 27",  # in pairs, as a French phone number is written
        "4821\u00a0093\u202f755 1627",  # non-breaking spaces, as a copied web page has them
        "4821\u2013093\u2014755\u20111627",  # dashes a phone keyboard makes of "-"
        "4821_093_755_1627",
    ],
)
def test_typed_codes_are_forgiven_spaces_dashes_and_dots(typed: str) -> None:
    assert case_codes.normalize(typed) == EXAMPLE
    assert case_codes.misread(typed) is None


@pytest.mark.parametrize(
    ("typed", "reason", "digits"),
    [
        ("", "length", 0),
        ("4821-093-755-162", "length", 13),  # a digit missed
        ("4821-093-755-16277", "length", 15),
        ("4821-O93-755-1627", "characters", 13),  # a letter O for a zero: refused, never corrected
        ("4821-093-755-l627", "characters", 13),
        ("4821/093/755/1627", "characters", 14),
        ("+4821093755162", "characters", 13),
        ("\uff14\uff18\uff12\uff11" + "093755" + "\uff11\uff16\uff12\uff17", "characters", 6),  # full-width digits
        ("4821-093-755-1628", "check_digit", 14),
        ("8421-093-755-1627", "check_digit", 14),
    ],
)
def test_anything_else_is_not_a_code_and_says_why(typed: str, reason: str, digits: int) -> None:
    assert case_codes.normalize(typed) is None
    assert case_codes.misread(typed) == case_codes.Misread(reason, digits)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("K7QM-4X2P", "K7QM4X2P"),
        ("k7qm 4x2p", "K7QM4X2P"),
        (" K7QM4X2P ", "K7QM4X2P"),
        ("k7-qm-4x-2p", "K7QM4X2P"),
        ("K7QM_4X2P", "K7QM4X2P"),
        ("2345-6789", "23456789"),  # a legacy code can be all digits: its length tells it apart
    ],
)
def test_legacy_codes_shared_before_adr_0016_are_still_read(typed: str, canonical: str) -> None:
    assert case_codes.normalize(typed) == canonical
    assert case_codes.is_legacy(canonical)
    assert case_codes.display(canonical) == f"{canonical[:4]}-{canonical[4:]}"


@pytest.mark.parametrize("typed", ["K7QM-4X2", "K7QM-4X2PP", "K7QM-4X20", "K7QM-4XOP", "K1QM-4X2P", "KIQM-4X2P"])
def test_legacy_codes_are_not_corrected_either(typed: str) -> None:
    assert case_codes.normalize(typed) is None
    assert case_codes.misread(typed) is not None


def test_codes_are_shown_in_four_groups_of_four_three_three_four() -> None:
    assert case_codes.GROUPS == (4, 3, 3, 4)
    assert case_codes.groups(EXAMPLE) == ["4821", "093", "755", "1627"]
    assert case_codes.display(EXAMPLE) == "4821-093-755-1627"
    assert not case_codes.is_legacy(EXAMPLE)


@pytest.mark.parametrize(
    ("code", "language", "words"),
    [
        (
            EXAMPLE,
            "fr",
            "quatre, huit, deux, un — zéro, neuf, trois — sept, cinq, cinq — un, six, deux, sept",
        ),
        (
            EXAMPLE,
            "en",
            "four, eight, two, one — zero, nine, three — seven, five, five — one, six, two, seven",
        ),
        (
            "60708090100002",
            "fr-BE",
            "six, zéro, sept, zéro — huit, zéro, neuf — zéro, un, zéro — zéro, zéro, zéro, deux",
        ),
        (EXAMPLE, "ja", "four, eight, two, one — zero, nine, three — seven, five, five — one, six, two, seven"),
        (
            EXAMPLE,
            "de-AT",
            "vier, acht, zwei, eins — null, neun, drei — sieben, fünf, fünf — eins, sechs, zwei, sieben",
        ),
        (
            EXAMPLE,
            "pl",
            "cztery, osiem, dwa, jeden — zero, dziewięć, trzy — siedem, pięć, pięć — jeden, sześć, dwa, siedem",
        ),
        ("K7QM4X2P", "fr", "Kilo, sept, Quebec, Mike — quatre, X-ray, deux, Papa"),
        ("K7QM4X2P", "en", "Kilo, seven, Quebec, Mike — four, X-ray, two, Papa"),
    ],
)
def test_codes_are_spoken_digit_by_digit_in_the_readers_language(code: str, language: str, words: str) -> None:
    assert case_codes.spoken(code, language) == words


def test_every_digit_has_its_word_in_french_and_english() -> None:
    every_digit = "01234567890123"
    assert re.split(r", | — ", case_codes.spoken(every_digit, "fr"))[:10] == [
        *("zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"),
    ]
    assert re.split(r", | — ", case_codes.spoken(every_digit, "en"))[:10] == [
        *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
    ]


def test_the_database_column_holds_the_longest_code() -> None:
    assert case_codes.STORED_LENGTH == 14


ALLOWED = {
    (Status.NEW, Status.IN_PROGRESS),
    (Status.NEW, Status.ESCALATED),
    (Status.NEW, Status.CLOSED),
    (Status.IN_PROGRESS, Status.ESCALATED),
    (Status.IN_PROGRESS, Status.CLOSED),
    (Status.ESCALATED, Status.IN_PROGRESS),
    (Status.ESCALATED, Status.CLOSED),
    (Status.CLOSED, Status.IN_PROGRESS),
}


@pytest.mark.parametrize("current", list(Status))
@pytest.mark.parametrize("wanted", list(Status))
def test_every_status_move_is_either_allowed_or_refused_by_name(current: Status, wanted: Status) -> None:
    if current == wanted or (current, wanted) in ALLOWED:
        assert check_transition(current, wanted) == wanted
    else:
        with pytest.raises(TransitionError, match=f"cannot become {wanted}"):
            check_transition(current.value, wanted.value)


def test_scope_must_name_known_parts_and_include_the_report() -> None:
    assert check_scope(["report", "content"]) == {"report", "content"}
    with pytest.raises(ValueError, match="must include 'report'"):
        check_scope(["content"])
    with pytest.raises(ValueError, match="unknown scope address"):
        check_scope(["report", "address"])


@pytest.mark.parametrize(
    ("pseudonym", "masked"), [("", ""), ("abc", "•••"), ("u-7f3a9c", "u-••••9c"), ("12345", "12••••45")]
)
def test_pseudonyms_are_masked_to_tell_reports_apart_but_not_find_the_child(pseudonym: str, masked: str) -> None:
    assert mask_pseudonym(pseudonym) == masked


@pytest.mark.parametrize(
    ("channel", "language", "expected"),
    [
        (
            {"kind": "sms", "uri": "sms:85258"},
            "en-GB",
            "sms:85258?body=Hello%2C%20my%20report%20code%20is%204821-093-755-1627.",
        ),
        (
            {"kind": "sms", "uri": "sms:114"},
            "fr",
            "sms:114?body=Bonjour%2C%20mon%20code%20de%20signalement%20est%204821-093-755-1627.",
        ),
        (
            {"kind": "email", "uri": "mailto:aide@example.org"},
            "ja",
            "mailto:aide@example.org?subject=Hello%2C%20my%20report%20code%20is%204821-093-755-1627.",
        ),
        (
            {"kind": "email", "uri": "mailto:aide@example.org"},
            "de",
            "mailto:aide@example.org?subject=Hallo%2C%20mein%20Meldungscode%20ist%204821-093-755-1627.",
        ),
        ({"kind": "sms", "uri": "sms:51444?body=HELP"}, "en", None),
        ({"kind": "phone", "uri": "tel:3018"}, "fr", None),
        ({"kind": "chat", "uri": "https://3018.fr/"}, "fr", None),
    ],
)
def test_channels_that_can_carry_the_code_get_it_prefilled(
    channel: dict[str, str], language: str, expected: str | None
) -> None:
    assert uri_with_code(channel, "4821-093-755-1627", language) == expected
