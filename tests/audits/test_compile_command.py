from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from audits.choices import SummaryStatus
from audits.models import LearningSummary
from tests.audits.test_compile import Known

pytestmark = pytest.mark.django_db


def test_compile_summary_prints_progress_and_a_readable_digest(time_machine: Any) -> None:
    time_machine.move_to(datetime.datetime(2026, 11, 27, 12, tzinfo=datetime.UTC))  # the day Known's dates assume
    known = Known()
    out, err = io.StringIO(), io.StringIO()
    call_command("compile_summary", str(known.summary.pk), stdout=out, stderr=err)
    digest = out.getvalue()
    assert "Proposed assurance: Limited assurance" in digest
    assert "The child's voice was evident in 2 of the 3 cases." in digest
    assert "MACFA 31 against MACFA 14: better (25.0% → 50.0% good or better)" in digest
    assert "Actions: 4 raised, 2 completed, 1 verified, 1 overdue" in digest
    assert "100/100" in err.getvalue() and "Compiled" in err.getvalue()  # the progress bar finished
    assert LearningSummary.objects.get(pk=known.summary.pk).status == SummaryStatus.COMPILED


def test_compile_summary_explains_what_it_cannot_do() -> None:
    with pytest.raises(CommandError, match="There is no learning summary 999999"):
        call_command("compile_summary", "999999")
    known = Known()
    LearningSummary.objects.filter(pk=known.summary.pk).update(status=SummaryStatus.PUBLISHED)
    with pytest.raises(
        CommandError, match="A learning summary that is published cannot be moved to compiling: published is final"
    ):
        call_command("compile_summary", str(known.summary.pk))
