from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from audits.validators import validate_pseudonymous_reference


@pytest.mark.parametrize("reference", ["C1", "MACFA31-07", "M31-01", "EH 3", "TH/19", "C12"])
def test_pseudonymous_codes_are_accepted(reference: str) -> None:
    validate_pseudonymous_reference(reference)


@pytest.mark.parametrize(
    ("reference", "reason"),
    [
        ("Jane Smith", "person's name"),
        ("jane", "person's name"),
        ("Smith7", "person's name"),
        ("Kai O'Neil", "only letters, digits"),
        ("943 476 5919", "NHS number"),
        ("9434765919", "NHS number"),
        ("943-476-5919", "NHS number"),
        ("12/03/2015", "date of birth"),
        ("2015-03-12", "date of birth"),
        ("12.3.15", "date of birth"),
        ("12032015", "date of birth"),
        ("12 March 2015", "date of birth"),
        ("C 3rd May", "date of birth"),
        ("CASE", "must include a number"),
        ("", "Give the case a pseudonymous reference"),
    ],
)
def test_identifying_references_are_rejected_with_the_reason(reference: str, reason: str) -> None:
    with pytest.raises(ValidationError) as raised:
        validate_pseudonymous_reference(reference)
    message = raised.value.messages[0]
    assert reason in message
    assert "C1 or MACFA31-07" in message  # says what to use instead


def test_the_message_never_repeats_the_identifying_value() -> None:
    with pytest.raises(ValidationError) as raised:
        validate_pseudonymous_reference("943 476 5919")
    assert "943" not in raised.value.messages[0]
