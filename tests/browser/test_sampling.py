"""The auditor draws an audit's case sample: by hand, from a CSV file (a broken one saves nothing) and by a random
draw repeated with the same seed, on a laptop and on a phone."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from audits.choices import AuditStatus
from audits.models import Case, SampleDraw
from audits.sampling import COLUMNS
from tests.audits.factories import AuditFactory
from tests.conftest import Parties

pytestmark = pytest.mark.django_db(transaction=True)


def csv_file(lines: list[str]) -> dict[str, Any]:
    content = "\n".join([",".join(COLUMNS), *lines]) + "\n"
    return {"name": "cases.csv", "mimeType": "text/csv", "buffer": content.encode()}


def test_auditor_draws_the_case_sample(parties: Parties, visit: Any) -> None:
    audit = AuditFactory(
        partnership=parties.partnership,
        auditor=parties.auditor,
        reference="MACFA 31",
        title="Neglect",
        status=AuditStatus.PLANNED,
        start_date=datetime.date(2026, 9, 1),
    )
    audit.agencies.add(parties.agency, parties.other_agency)
    agency = parties.agency.name
    auditor = visit(parties.auditor)

    # One case by hand.
    auditor.go(f"/audits/{audit.pk}/cases/new/")
    auditor.look("case new")
    auditor.page.get_by_label("Reference").fill("S31-00")
    auditor.page.get_by_label("5–11").check()
    auditor.page.get_by_label("Level 3 — complex needs (early help)").check()
    auditor.page.get_by_label("Child in need").check()
    auditor.page.get_by_label("Neglect").check()
    auditor.page.get_by_label(str(parties.agency)).check()
    auditor.page.get_by_role("button", name="Add case").click()
    auditor.look("case added")
    assert Case.objects.filter(audit=audit, reference="S31-00").exists()

    # A broken file, then a file with a bad row: nothing saved; then a good file.
    auditor.go(f"/audits/{audit.pk}/cases/import/")
    auditor.look("case import")
    upload = auditor.page.get_by_label("CSV file of cases")
    upload.set_input_files({"name": "cases.csv", "mimeType": "text/csv", "buffer": b"reference,age\nS1,5-11\n"})
    auditor.page.get_by_role("button", name="Check the file").click()
    assert auditor.page_status() == 400
    auditor.look("case import broken file")
    assert "missing the columns" in auditor.page.locator(".govuk-error-summary").inner_text()

    good = [f"S31-{n:02d},5-11,{n % 4 + 1},child_in_need,neglect;domestic_abuse,{agency}" for n in range(1, 4)]
    auditor.page.get_by_label("CSV file of cases").set_input_files(csv_file([*good, "Jane Smith 7,teen,3,none,,"]))
    auditor.page.get_by_role("button", name="Check the file").click()
    assert auditor.page_status() == 400
    auditor.look("case import problems")
    assert "looks like a person" in auditor.page.content() and "Jane" not in auditor.page.content()
    assert Case.objects.filter(audit=audit).count() == 1

    auditor.go(f"/audits/{audit.pk}/cases/import/")
    auditor.page.get_by_label("CSV file of cases").set_input_files(csv_file(good))
    auditor.page.get_by_role("button", name="Check the file").click()
    auditor.look("case import preview")
    auditor.page.get_by_role("button", name="Import 3 cases").click()
    auditor.look("case import done")
    assert Case.objects.filter(audit=audit).count() == 4

    # A random draw, repeated with its seed to the same cases, then added and recorded.
    candidates = csv_file([f"D31-{n:02d},{['0-1', '5-11'][n % 2]},{n % 4 + 1},none,,{agency}" for n in range(1, 16)])

    def draw(seed: str = "") -> tuple[str, list[str]]:
        auditor.go(f"/audits/{audit.pk}/cases/draw/")
        auditor.page.get_by_label("CSV file of candidate cases").set_input_files(candidates)
        auditor.page.get_by_label("Sample size").fill("4")
        auditor.page.get_by_label("Level 4", exact=True).fill("2")
        auditor.page.get_by_label("Seed (optional)").fill(seed)
        auditor.page.get_by_role("button", name="Draw the sample").click()
        drawn = auditor.page.locator("tbody th").all_inner_texts()
        return auditor.page.locator("#draw-seed").inner_text(), drawn

    auditor.go(f"/audits/{audit.pk}/cases/draw/")
    auditor.look("case draw")
    seed, drawn = draw()
    auditor.look("case draw preview")
    assert len(drawn) == 4
    again_seed, again = draw(seed)
    assert (again_seed, again) == (seed, drawn)
    auditor.page.get_by_role("button", name="Add these 4 cases").click()
    auditor.look("case draw recorded")
    record = SampleDraw.objects.get(audit=audit)
    assert (str(record.seed), record.drawn) == (seed, drawn)
    assert set(drawn) <= set(Case.objects.filter(audit=audit).values_list("reference", flat=True))
    assert seed in auditor.page.locator("main").inner_text()
