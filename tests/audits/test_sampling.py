"""Drawing a case sample: the file checks, the all-or-nothing import, the command, the reproducible draw, the pages."""

from __future__ import annotations

import datetime
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from audits.choices import AuditStatus
from audits.models import Case, SampleDraw
from audits.sampling import (
    COLUMNS,
    MAX_ROWS,
    CaseRow,
    DrawProblem,
    FileProblem,
    check_rows,
    draw_sample,
    read_csv,
    recent_references,
)
from audits.services.sampling import cases_import, sample_draw_record
from macfa.errors import NotAllowed
from tests.audits.factories import AuditFactory, CaseFactory
from tests.conftest import Parties

HEADER = ",".join(COLUMNS)


def csv_of(*lines: str) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode()


@pytest.fixture
def audit(parties: Parties) -> Any:
    audit = AuditFactory(
        partnership=parties.partnership,
        auditor=parties.auditor,
        status=AuditStatus.PLANNED,
        start_date=datetime.date(2026, 9, 1),
    )
    audit.agencies.add(parties.agency)
    return audit


def good_file(parties: Parties, count: int = 3) -> bytes:
    return csv_of(
        *(f"S31-{n:02d},5-11,3,child_in_need,neglect;domestic_abuse,{parties.agency.name}" for n in range(1, count + 1))
    )


def problems_of(audit: Any, content: bytes) -> list[list[str]]:
    return [row.problems for row in check_rows(read_csv(content), audit=audit)]


# Reading and checking the file


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "empty"),
        (HEADER.encode() + b"\n", "no cases"),
        (b"reference,age_band\nS1,5-11\n", "missing the columns level_of_need, plan_type, factors, agencies"),
        ("reference;age_band\n".encode("utf-16"), "UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a CSV"),
        (b"x" * 1_000_001, "larger than 1 MB"),
        (csv_of(*[f"S{n},5-11,3,none,," for n in range(MAX_ROWS + 1)]), f"most one file may hold is {MAX_ROWS}"),
    ],
)
def test_a_broken_file_says_what_is_wrong(content: bytes, says: str) -> None:
    with pytest.raises(FileProblem, match=says):
        read_csv(content)


def test_a_good_file_has_no_problems_and_reads_labels_and_short_names(audit: Any, parties: Parties) -> None:
    parties.agency.short_name = "WMP"
    parties.agency.save()
    rows = check_rows(read_csv(csv_of("S31-01,5–11,Level 4,Child protection,Neglect; exploitation,wmp")), audit=audit)
    assert rows[0].problems == []
    assert (rows[0].age_band, rows[0].level_of_need, rows[0].plan_type) == ("5-11", 4, "child_protection")
    assert rows[0].factors == ["neglect", "exploitation"]
    assert rows[0].agency_ids == [parties.agency.pk]


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("Jane Smith 7,5-11,3,none,,", "looks like a person's name"),
        ("C1 12/03/2015,5-11,3,none,,", "looks like a date of birth"),
        ("943 476 5919,5-11,3,none,,", "looks like an NHS number"),
        (",5-11,3,none,,", "Give the case a pseudonymous reference"),
        ("S31-01,teen,3,none,,", "Age band: not an age band we know"),
        ("S31-01,5-11,7,none,,", "Level of need: use a number from 1 to 4"),
        ("S31-01,5-11,3,foster,,", "Plan type: not a plan type we know"),
        ("S31-01,5-11,3,none,poverty,", "“poverty” is not a factor we know"),
        ("S31-01,5-11,3,none,,Nowhere Constabulary", "“Nowhere Constabulary” is not an agency of this partnership"),
    ],
)
def test_each_kind_of_row_problem(audit: Any, line: str, says: str) -> None:
    [problems] = problems_of(audit, csv_of(line))
    assert any(says in problem for problem in problems), problems
    reference = line.split(",")[0]
    if reference and "reference" not in says:
        assert all(reference not in problem for problem in problems if problem.startswith("Reference"))


def test_an_identifying_reference_is_never_repeated(audit: Any) -> None:
    [row] = check_rows(read_csv(csv_of("Jane Smith 7,5-11,3,none,,")), audit=audit)
    assert row.reference_hidden and row.shown_reference == "(hidden)"
    assert not any("Jane" in problem for problem in row.problems)


def test_agency_not_taking_part_and_another_partnerships_agency(audit: Any, parties: Parties) -> None:
    [taking_no_part, foreign] = problems_of(
        audit, csv_of(f"S1,5-11,3,none,,{parties.other_agency.name}", f"S2,5-11,3,none,,{parties.outsider_agency.name}")
    )
    assert taking_no_part == [f"Agencies: {parties.other_agency} is not taking part in this audit."]
    assert "is not an agency of this partnership" in foreign[0]


def test_duplicates_in_the_file_and_in_the_audit(audit: Any) -> None:
    CaseFactory(audit=audit, reference="S9")
    problems = problems_of(audit, csv_of("S1,5-11,3,none,,", "s1,5-11,3,none,,", "S9,5-11,3,none,,"))
    assert problems[0] == []
    assert problems[1] == ["Reference: the same reference is on line 2 of this file."]
    assert problems[2] == ["Reference: this audit already has a case with this reference."]


def test_every_rows_problems_are_listed(audit: Any) -> None:
    problems = problems_of(audit, csv_of("Jane 1,teen,9,none,,", "S2,5-11,3,none,,", "S3,,,,,"))
    assert [len(p) for p in problems] == [3, 0, 2]


# The import: all or nothing


def test_import_adds_every_case_with_its_factors_and_agencies(audit: Any, parties: Parties) -> None:
    rows = check_rows(read_csv(good_file(parties)), audit=audit)
    cases = cases_import(actor=parties.auditor, audit=audit, rows=rows)
    assert [case.reference for case in cases] == ["S31-01", "S31-02", "S31-03"]
    case = Case.objects.get(audit=audit, reference="S31-02")
    assert sorted(case.factors.values_list("factor", flat=True)) == ["domestic_abuse", "neglect"]
    assert list(case.agencies.all()) == [parties.agency]


def test_one_bad_row_saves_nothing(audit: Any, parties: Parties) -> None:
    rows = check_rows(read_csv(good_file(parties) + b"Jane Smith 7,5-11,3,none,,\n"), audit=audit)
    with pytest.raises(Exception, match="nothing was saved"):
        cases_import(actor=parties.auditor, audit=audit, rows=rows)
    assert not Case.objects.filter(audit=audit).exists()


def test_a_refusal_late_in_the_file_undoes_the_rows_before_it(audit: Any, parties: Parties) -> None:
    rows = check_rows(read_csv(good_file(parties)), audit=audit)
    CaseFactory(audit=audit, reference="S31-03")  # added by someone else after the file was checked
    with pytest.raises(Exception, match="Line 4: This audit already has a case"):
        cases_import(actor=parties.auditor, audit=audit, rows=rows)
    assert list(Case.objects.filter(audit=audit).values_list("reference", flat=True)) == ["S31-03"]


@pytest.mark.parametrize("who", ["board_member", "lead", "outsider_auditor"])
def test_only_the_audits_managers_may_import(audit: Any, parties: Parties, who: str) -> None:
    rows = check_rows(read_csv(good_file(parties)), audit=audit)
    with pytest.raises(NotAllowed):
        cases_import(actor=getattr(parties, who), audit=audit, rows=rows)
    assert not Case.objects.exists()


# The command


def test_the_command_imports(audit: Any, parties: Parties, tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_bytes(good_file(parties))
    out = StringIO()
    call_command("import_cases", audit.pk, str(path), stdout=out)
    assert "Imported 3 cases" in out.getvalue()
    assert Case.objects.filter(audit=audit).count() == 3


def test_the_command_prints_each_problem_and_saves_nothing(audit: Any, parties: Parties, tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_bytes(good_file(parties) + b"Jane Smith 7,5-11,3,none,,\nS31-01,teen,3,none,,\n")
    err = StringIO()
    with pytest.raises(CommandError, match=r"2 of 5 rows have problems\. Nothing was saved") as raised:
        call_command("import_cases", audit.pk, str(path), "--as", parties.auditor.username, stderr=err)
    assert "Line 5: Reference: This looks like a person's name" in err.getvalue()
    assert "Line 6: Reference: the same reference is on line 2" in err.getvalue()
    assert "Line 6: Age band" in err.getvalue()
    assert "Jane" not in err.getvalue()
    assert not Case.objects.exists()
    assert raised.value.returncode == 1


def test_the_command_refuses_a_broken_file_and_someone_who_does_not_manage(
    audit: Any, parties: Parties, tmp_path: Path
) -> None:
    path = tmp_path / "cases.csv"
    path.write_bytes(b"")
    with pytest.raises(CommandError, match="empty"):
        call_command("import_cases", audit.pk, str(path))
    path.write_bytes(good_file(parties))
    with pytest.raises(CommandError, match="does not manage"):
        call_command("import_cases", audit.pk, str(path), "--as", parties.board_member.username)
    assert not Case.objects.exists()


# The draw


def candidates(count: int = 20) -> list[CaseRow]:
    bands = ["0-1", "2-4", "5-11", "12-15"]
    return [
        CaseRow(line=n + 2, reference=f"S{n:02d}", age_band=bands[n % 4], level_of_need=n % 4 + 1, plan_type="none")
        for n in range(count)
    ]


def test_the_same_seed_draws_the_same_cases_in_any_order_and_another_seed_differs() -> None:
    first = draw_sample(candidates(), size=5, seed=1234)
    again = draw_sample(list(reversed(candidates())), size=5, seed=1234)
    other = draw_sample(candidates(), size=5, seed=4321)
    assert first.drawn_references == again.drawn_references
    assert len(first.drawn_references) == 5
    assert first.drawn_references != other.drawn_references


def test_quotas_are_honoured() -> None:
    draw = draw_sample(candidates(), size=6, seed=7, quota_by="level_of_need", quotas={"4": 3, "1": 2})
    levels = [row.level_of_need for row in draw.drawn]
    assert levels.count(4) >= 3 and levels.count(1) >= 2 and len(levels) == 6
    assert "with quotas by level of need (level 1: 2, level 4: 3)" in draw.method
    exact = draw_sample(candidates(), size=4, seed=7, quota_by="age_band", quotas={"0-1": 4})
    assert {row.age_band for row in exact.drawn} == {"0-1"}


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"size": 21}, "too few for a sample of 21"),
        ({"size": 3, "quota_by": "level_of_need", "quotas": {"1": 4}}, "more than the sample size"),
        ({"size": 10, "quota_by": "level_of_need", "quotas": {"1": 6}}, "only 5 such candidates"),
    ],
)
def test_a_draw_that_cannot_be_met_says_why(options: dict[str, Any], says: str) -> None:
    with pytest.raises(DrawProblem, match=says):
        draw_sample(candidates(), seed=1, **options)


def test_excluded_references_are_never_drawn_and_are_recorded(audit: Any, parties: Parties) -> None:
    earlier = AuditFactory(partnership=parties.partnership, start_date=datetime.date(2026, 3, 1))
    old = AuditFactory(partnership=parties.partnership, start_date=datetime.date(2024, 3, 1))
    foreign = AuditFactory(partnership=parties.other_partnership, start_date=datetime.date(2026, 3, 1))
    for ref in ("S01", "S02", "S03"):
        CaseFactory(audit=earlier, reference=ref)
    Case.objects.filter(pk=CaseFactory(audit=old, reference="S04").pk).update(
        created_at=datetime.datetime(2024, 3, 1, tzinfo=datetime.UTC)
    )
    CaseFactory(audit=foreign, reference="S05")
    assert recent_references(audit) == {"s01", "s02", "s03"}

    draw = draw_sample(candidates(6), size=3, seed=99, exclude=recent_references(audit))
    assert draw.excluded == ["S01", "S02", "S03"]
    assert draw.drawn_references == ["S00", "S04", "S05"]
    assert "excluding 3 audited in the last 12 months" in draw.method

    rows = check_rows(read_csv(good_file(parties, 6)), audit=audit)
    draw = draw_sample(rows, size=2, seed=5)
    record = sample_draw_record(actor=parties.auditor, audit=audit, draw=draw)
    assert (record.seed, record.size, record.drawn, record.created_by) == (5, 2, draw.drawn_references, parties.auditor)
    assert sorted(Case.objects.filter(audit=audit).values_list("reference", flat=True)) == draw.drawn_references


# The pages


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(content: bytes, name: str = "cases.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_the_import_page_previews_then_imports(audit: Any, parties: Parties) -> None:
    client = client_for(parties.auditor)
    url = reverse("pages:case-import", args=[audit.pk])
    assert client.get(url).status_code == 200
    preview = client.post(url, {"file": upload(good_file(parties))})
    assert preview.status_code == 200 and "Import 3 cases" in preview.text
    assert not Case.objects.exists()
    done = client.post(url, {"token": preview.context["token"]}, follow=True)
    assert "3 cases imported" in done.text
    assert Case.objects.filter(audit=audit).count() == 3
    again = client.post(url, {"token": preview.context["token"]})
    assert "expired or was already used" in again.text and Case.objects.count() == 3


def test_the_import_page_lists_problems_and_saves_nothing(audit: Any, parties: Parties) -> None:
    client = client_for(parties.auditor)
    url = reverse("pages:case-import", args=[audit.pk])
    answer = client.post(url, {"file": upload(good_file(parties) + b"Jane Smith 7,5-11,3,none,,\n")})
    assert answer.status_code == 400
    assert "looks like a person" in answer.text and "Jane" not in answer.text
    assert "Import 4 cases" not in answer.text
    broken = client.post(url, {"file": upload(b"\xff\xfe\x00bad")})
    assert broken.status_code == 400 and "UTF-8" in broken.text
    assert not Case.objects.exists()


def test_the_template_downloads(audit: Any, parties: Parties) -> None:
    answer = client_for(parties.auditor).get(reverse("pages:case-template", args=[audit.pk]))
    assert answer["Content-Disposition"].startswith("attachment;")
    rows = check_rows(read_csv(answer.content), audit=audit)
    assert [row.problems for row in rows] == [[]]


def test_adding_one_case_by_hand(audit: Any, parties: Parties) -> None:
    client = client_for(parties.auditor)
    url = reverse("pages:case-new", args=[audit.pk])
    data = {"age_band": "2-4", "level_of_need": "2", "plan_type": "early_help", "factors": ["neglect"]}
    refused = client.post(url, {**data, "reference": "Jane Smith"})
    assert refused.status_code == 400 and "looks like a person" in refused.text and "Jane" not in refused.text
    added = client.post(url, {**data, "reference": "S31-07", "agencies": [parties.agency.pk]}, follow=True)
    assert "Case S31-07 added" in added.text
    case = Case.objects.get(audit=audit)
    assert list(case.agencies.all()) == [parties.agency] and list(case.factors.values_list("factor", flat=True)) == [
        "neglect"
    ]


def test_the_draw_page_draws_repeats_and_records(audit: Any, parties: Parties) -> None:
    client = client_for(parties.auditor)
    url = reverse("pages:case-draw", args=[audit.pk])
    settings = {"size": "3", "quota_level_3": "1"}
    first = client.post(url, {**settings, "file": upload(good_file(parties, 10))})
    assert first.status_code == 200, first.text
    draw = first.context["draw"]
    again = client.post(url, {**settings, "seed": str(draw.seed), "file": upload(good_file(parties, 10))})
    assert again.context["draw"].drawn_references == draw.drawn_references
    assert not Case.objects.exists()
    client.post(url, {"token": again.context["token"]})
    record = SampleDraw.objects.get(audit=audit)
    assert record.drawn == draw.drawn_references and record.quotas == {"3": 1}
    assert "Recorded draws" in client.get(url).text and str(record.seed) in client.get(url).text
    # Shown to an inspector later: the same file, seed and settings draw the same cases, already in the audit.
    repeat = client.post(url, {**settings, "seed": str(draw.seed), "file": upload(good_file(parties, 10))})
    assert repeat.status_code == 200 and repeat.context["draw"].drawn_references == draw.drawn_references
    assert "already in" in repeat.text and "Add these" not in repeat.text
    assert Case.objects.filter(audit=audit).count() == 3


@pytest.mark.parametrize("name", ["case-new", "case-import", "case-template", "case-draw"])
@pytest.mark.parametrize("who", ["outsider_auditor", "outsider", "lead", "other_lead", "board_member"])
def test_pages_are_not_found_for_anyone_but_the_audits_managers(
    audit: Any, parties: Parties, name: str, who: str
) -> None:
    url = reverse(f"pages:{name}", args=[audit.pk])
    assert client_for(getattr(parties, who)).get(url).status_code == 404
    assert client_for(getattr(parties, who)).post(url, {"file": upload(good_file(parties))}).status_code == 404
    assert client_for(parties.business_unit).get(url).status_code == 200
    assert not Case.objects.exists()


def test_a_csv_with_columns_the_service_does_not_use_or_semicolons_says_so() -> None:
    with pytest.raises(FileProblem, match="It has column this service does not use: extra"):
        read_csv(b"reference,age_band,level_of_need,plan_type,factors,agencies,extra\nS1,5-11,3,none,,,x\n")
    with pytest.raises(FileProblem, match="uses semicolons"):
        read_csv(b"reference;age_band;level_of_need;plan_type;factors;agencies\nS1;5-11;3;none;;\n")
