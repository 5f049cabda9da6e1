"""Case codes, the status workflow and consent scopes. Pure: no database."""

from __future__ import annotations

import math
import re

import pytest

from relais.handoffs import case_codes
from relais.handoffs.consent import check_scope, mask_pseudonym
from relais.handoffs.prefill import uri_with_code
from relais.handoffs.workflow import Status, TransitionError, check_transition


def test_codes_are_eight_unambiguous_symbols_carrying_40_bits() -> None:
    assert len(case_codes.ALPHABET) == 32
    assert not set("01IO") & set(case_codes.ALPHABET)
    assert case_codes.LENGTH * math.log2(len(case_codes.ALPHABET)) >= 40
    codes = {case_codes.generate() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(re.fullmatch(r"[2-9A-HJ-NP-Z]{8}", c) for c in codes)
    # Every symbol turns up: the draw uses the whole alphabet.
    assert set("".join(codes)) == set(case_codes.ALPHABET)


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("K7QM-4X2P", "K7QM4X2P"),
        ("k7qm 4x2p", "K7QM4X2P"),
        (" K7QM4X2P ", "K7QM4X2P"),
        ("k7-qm-4x-2p", "K7QM4X2P"),
        ("K7QM_4X2P", "K7QM4X2P"),
    ],
)
def test_typed_codes_are_forgiven_case_and_separators(typed: str, canonical: str) -> None:
    assert case_codes.normalize(typed) == canonical


@pytest.mark.parametrize(
    "typed", ["", "K7QM-4X2", "K7QM-4X2PP", "K7QM-4X20", "K7QM-4XOP", "K1QM-4X2P", "KIQM-4X2P", "K7QM/4X2P"]
)
def test_anything_else_is_not_a_code(typed: str) -> None:
    assert case_codes.normalize(typed) is None


def test_codes_are_shown_in_two_groups() -> None:
    assert case_codes.display("K7QM4X2P") == "K7QM-4X2P"


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
            "sms:85258?body=Hello%2C%20my%20report%20code%20is%20K7QM-4X2P.",
        ),
        (
            {"kind": "sms", "uri": "sms:114"},
            "fr",
            "sms:114?body=Bonjour%2C%20mon%20code%20de%20signalement%20est%20K7QM-4X2P.",
        ),
        (
            {"kind": "email", "uri": "mailto:aide@example.org"},
            "de",
            "mailto:aide@example.org?subject=Hello%2C%20my%20report%20code%20is%20K7QM-4X2P.",
        ),
        ({"kind": "sms", "uri": "sms:51444?body=HELP"}, "en", None),
        ({"kind": "phone", "uri": "tel:3018"}, "fr", None),
        ({"kind": "chat", "uri": "https://3018.fr/"}, "fr", None),
    ],
)
def test_channels_that_can_carry_the_code_get_it_prefilled(
    channel: dict[str, str], language: str, expected: str | None
) -> None:
    assert uri_with_code(channel, "K7QM-4X2P", language) == expected
