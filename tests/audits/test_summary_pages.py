"""Learning summaries in pages: the board reads, comments, requests changes and approves; the auditor writes the
texts and sends the summary for review; the business unit publishes; agency leads read the published figures."""

from __future__ import annotations

import datetime
import html
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audits.choices import FindingKind, Grade, SummaryStatus
from audits.models import LearningSummary, SummaryReview
from audits.services import summaries as services
from audits.summaries.export import summary_export
from audits.summaries.run import summary_compile
from audits.views.summaries import version_of
from tests.audits.factories import AuditFactory, CaseFactory, FindingFactory, ThemeFactory
from tests.conftest import Parties

pytestmark = pytest.mark.django_db
# Two inadequate findings: a count under the threshold of 5, hidden from the board, exact for the auditor.
NARRATIVE = "Case C3: the health visitor noted the younger sibling's bruising."


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: Any) -> str:
    """The page as a reader sees it: tags dropped, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def compiled(parties: Parties, **texts: str) -> LearningSummary:
    audit = AuditFactory(partnership=parties.partnership, auditor=parties.auditor, reference="MACFA 31")
    theme = ThemeFactory(partnership=None, name="Neglect", slug="neglect-pages")
    now = timezone.now()
    for number in range(12):
        case = CaseFactory(audit=audit, reference=f"C{number + 1}")
        grade = Grade.INADEQUATE if number < 2 else Grade.GOOD
        kind = FindingKind.AREA_FOR_IMPROVEMENT if number < 2 else FindingKind.STRENGTH
        FindingFactory(
            case=case, agency=parties.agency, theme=theme, grade=grade, kind=kind, agreed_at=now, narrative=NARRATIVE
        )
    summary = services.summary_create(
        actor=parties.auditor, partnership=parties.partnership, title="Neglect in 2019", themes=[theme], audits=[audit]
    )
    services.summary_update(
        actor=parties.auditor,
        summary=summary,
        key_messages=texts.get("key_messages", "Plans drift when workers change."),
        strengths=texts.get("strengths", "Chronologies were shared early."),
        areas_for_improvement=texts.get("areas_for_improvement", "Assess the men in the household."),
    )
    services.summary_claim_for_compile(summary)
    assert summary_compile(summary_id=summary.pk)
    summary.refresh_from_db()
    return summary


def in_review(parties: Parties) -> LearningSummary:
    summary = compiled(parties)
    return services.summary_submit(actor=parties.auditor, summary=summary)


def version(client: Client, summary: LearningSummary) -> str:
    page = client.get(reverse("pages:summary", args=[summary.pk])).content.decode()
    found = re.search(r'name="version" value="([^"]+)"', page)
    assert found, "the page carries the version the reader saw"
    return found.group(1)


def review(client: Client, summary: LearningSummary, decision: str, comment: str = "", **extra: Any) -> Any:
    data = {"decision": decision, "comment": comment, "version": version(client, summary), **extra}
    return client.post(reverse("pages:summary-review", args=[summary.pk]), data)


def test_the_board_reads_suppressed_figures_and_the_auditors_texts_never_case_narratives(parties: Parties) -> None:
    summary = in_review(parties)
    board = signed_in(parties.board_member)
    page = board.get(reverse("pages:summary", args=[summary.pk]))
    assert page.status_code == 200
    words = text(page)
    assert "Plans drift when workers change." in words
    assert "Chronologies were shared early." in words
    assert "Assess the men in the household." in words
    assert "[c]" in words  # two inadequate findings: withheld from the board
    assert NARRATIVE not in words  # the compile's quotes are the auditor's only
    assert "Your review" in words


def test_the_auditor_sees_exact_figures_and_the_suggested_quotes(parties: Parties) -> None:
    summary = compiled(parties)
    words = text(signed_in(parties.auditor).get(reverse("pages:summary", args=[summary.pk])))
    assert "working view, with exact figures" in words
    assert NARRATIVE in words
    assert "Send to the board for review" in words


def test_requesting_changes_needs_a_reason_and_keeps_what_was_typed(parties: Parties) -> None:
    summary = in_review(parties)
    board = signed_in(parties.board_member)
    refused = review(board, summary, "request_changes", "")
    assert refused.status_code == 400
    assert "Say what should change" in text(refused)
    summary.refresh_from_db()
    assert summary.status == SummaryStatus.IN_REVIEW

    asked = review(board, summary, "request_changes", "Show the trend for drift separately.")
    assert asked.status_code == 302
    summary.refresh_from_db()
    assert summary.status == SummaryStatus.COMPILED
    auditor_page = text(signed_in(parties.auditor).get(reverse("pages:summary", args=[summary.pk])))
    assert "Show the trend for drift separately." in auditor_page  # the auditor reads the board's reasons


def test_a_review_of_a_version_since_changed_is_refused_and_nothing_is_saved(parties: Parties) -> None:
    summary = in_review(parties)
    board = signed_in(parties.board_member)
    seen = version(board, summary)
    services.summary_review(actor=parties.board_member, summary=summary, decision="comment", comment="First.")
    summary.refresh_from_db()
    LearningSummary.objects.filter(pk=summary.pk).update(updated_at=timezone.now() + datetime.timedelta(seconds=5))
    stale = board.post(
        reverse("pages:summary-review", args=[summary.pk]),
        {"decision": "approve", "comment": "Looks right.", "version": seen},
    )
    assert stale.status_code == 409
    assert "changed after you opened it" in text(stale)
    assert "Looks right." in text(stale)  # what was typed is kept
    summary.refresh_from_db()
    assert summary.status == SummaryStatus.IN_REVIEW


def test_approval_makes_the_briefing_and_the_business_unit_publishes_it(parties: Parties) -> None:
    summary = in_review(parties)
    board = signed_in(parties.board_member)
    assert review(board, summary, "approve", "").status_code == 302
    summary.refresh_from_db()
    assert summary.status == SummaryStatus.APPROVED
    assert SummaryReview.objects.filter(summary=summary, decision="approve", reviewer=parties.board_member).exists()
    assert "Publish to agency leads" not in text(board.get(reverse("pages:summary", args=[summary.pk])))

    summary_export(summary_id=summary.pk)
    unit = signed_in(parties.business_unit)
    page = unit.get(reverse("pages:summary", args=[summary.pk]))
    assert "Publish to agency leads" in text(page)
    assert reverse("pages:summary-briefing", args=[summary.pk, "xlsx"]) in page.content.decode()
    published = unit.post(
        reverse("pages:summary-move", args=[summary.pk]), {"move": "publish", "version": version(unit, summary)}
    )
    assert published.status_code == 302
    summary.refresh_from_db()
    assert summary.status == SummaryStatus.PUBLISHED

    download = unit.get(reverse("pages:summary-briefing", args=[summary.pk, "pdf"]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="neglect-in-2019.pdf"')


def test_agency_leads_read_only_published_summaries_with_suppressed_figures(parties: Parties) -> None:
    summary = in_review(parties)
    lead = signed_in(parties.lead)
    assert lead.get(reverse("pages:summary", args=[summary.pk])).status_code == 404
    services.summary_review(actor=parties.board_member, summary=summary, decision="approve")
    summary.refresh_from_db()
    services.summary_publish(actor=parties.business_unit, summary=summary)
    page = lead.get(reverse("pages:summary", args=[summary.pk]))
    assert page.status_code == 200
    words = text(page)
    assert "[c]" in words
    assert "The board's reviews" not in words  # the board's deliberation is not the leads'
    assert "Your review" not in words


@pytest.mark.parametrize("who", ["outsider", "outsider_board_member", "outsider_lead"])
def test_another_partnerships_people_get_404_on_every_summary_door(parties: Parties, who: str) -> None:
    summary = in_review(parties)
    client = signed_in(getattr(parties, who))
    assert client.get(reverse("pages:summary", args=[summary.pk])).status_code == 404
    assert client.post(reverse("pages:summary-review", args=[summary.pk]), {"decision": "approve"}).status_code == 404
    assert client.post(reverse("pages:summary-move", args=[summary.pk]), {"move": "publish"}).status_code == 404
    assert client.get(reverse("pages:summary-briefing", args=[summary.pk, "pdf"])).status_code == 404
    assert "Neglect in 2019" not in text(client.get(reverse("pages:summaries")))


def test_only_the_board_reviews_and_only_the_business_unit_publishes(parties: Parties) -> None:
    summary = in_review(parties)
    auditor = signed_in(parties.auditor)
    assert "Your review" not in text(auditor.get(reverse("pages:summary", args=[summary.pk])))
    summary.refresh_from_db()
    refused = auditor.post(  # a hand-made form: the page offers none
        reverse("pages:summary-review", args=[summary.pk]), {"decision": "approve", "version": version_of(summary)}
    )
    assert refused.status_code == 403
    summary.refresh_from_db()
    assert summary.status == SummaryStatus.IN_REVIEW
    services.summary_review(actor=parties.board_member, summary=summary, decision="approve")
    summary.refresh_from_db()
    moved = auditor.post(
        reverse("pages:summary-move", args=[summary.pk]), {"move": "publish", "version": version_of(summary)}
    )
    assert moved.status_code == 403
    summary.refresh_from_db()
    assert summary.status == SummaryStatus.APPROVED


def test_the_auditor_writes_the_texts_then_sends_the_summary_for_review(parties: Parties) -> None:
    summary = compiled(parties, key_messages="")
    auditor = signed_in(parties.auditor)
    move = {"move": "submit", "version": version(auditor, summary)}
    refused = auditor.post(reverse("pages:summary-move", args=[summary.pk]), move)
    assert refused.status_code == 400
    assert "Write the key messages" in text(refused)
    saved = auditor.post(
        reverse("pages:summary-texts", args=[summary.pk]),
        {
            "key_messages": "Neglect is recognised earlier.",
            "strengths": "Schools listened.",
            "areas_for_improvement": "Escalate drift.",
            "version": version(auditor, summary),
        },
    )
    assert saved.status_code == 302
    sent = auditor.post(
        reverse("pages:summary-move", args=[summary.pk]), {"move": "submit", "version": version(auditor, summary)}
    )
    assert sent.status_code == 302
    summary.refresh_from_db()
    assert (summary.status, summary.key_messages) == (SummaryStatus.IN_REVIEW, "Neglect is recognised earlier.")


def test_the_board_home_lists_summaries_waiting_for_review_first(parties: Parties) -> None:
    summary = in_review(parties)
    home = text(signed_in(parties.board_member).get(reverse("pages:home")))
    assert "Waiting for your review" in home
    assert home.index("Neglect in 2019") < home.index("What you can do")
    assert len(mail.outbox) == 0
    assert summary.title in home


def test_the_auditor_defines_a_summary_over_chosen_audits_and_compiles_it(parties: Parties) -> None:
    audit = AuditFactory(partnership=parties.partnership, auditor=parties.auditor, reference="MACFA 40")
    theirs = AuditFactory(partnership=parties.other_partnership, reference="MACFA 41")
    theme = ThemeFactory(partnership=None, name="Drift and delay", slug="drift-pages")
    auditor = signed_in(parties.auditor)
    form = auditor.get(reverse("pages:summary-new"))
    assert "MACFA 40" in text(form) and "MACFA 41" not in text(form)
    refused = auditor.post(reverse("pages:summary-new"), {"title": "Drift", "themes": [theme.pk]})
    assert refused.status_code == 400
    assert "Choose the audits to summarise, or a period" in text(refused)
    foreign = auditor.post(
        reverse("pages:summary-new"), {"title": "Drift", "themes": [theme.pk], "audits": [theirs.pk]}
    )
    assert foreign.status_code == 400  # another partnership's audit is not a choice
    made = auditor.post(reverse("pages:summary-new"), {"title": "Drift", "themes": [theme.pk], "audits": [audit.pk]})
    summary = LearningSummary.objects.get(title="Drift")
    assert made.status_code == 302 and made["Location"] == reverse("pages:summary", args=[summary.pk])
    assert list(summary.audits.all()) == [audit]
    assert "Compile the figures" in text(auditor.get(made["Location"]))


@pytest.mark.parametrize("who", ["lead", "board_member"])
def test_only_those_who_prepare_summaries_define_them(parties: Parties, who: str) -> None:
    assert signed_in(getattr(parties, who)).get(reverse("pages:summary-new")).status_code == 404


def test_a_summarys_history_never_shows_the_board_exact_figures(parties: Parties) -> None:
    summary = in_review(parties)
    board = signed_in(parties.board_member)
    page = board.get(reverse("pages:summary-history", args=[summary.pk]))
    assert page.status_code == 200
    assert "Moved from" in text(page)
    api = board.get(reverse("api:summary-history", args=[summary.pk]))
    fields = {change["field"] for entry in api.json()["results"] for change in entry["changes"]}
    assert "content" not in fields  # the exact counts behind the [c] marks
    assert "inadequate" not in api.content.decode()


def test_agency_leads_read_the_published_summary_not_the_deliberation_behind_it(parties: Parties) -> None:
    summary = in_review(parties)
    services.summary_review(actor=parties.board_member, summary=summary, decision="approve")
    summary.refresh_from_db()
    services.summary_publish(actor=parties.business_unit, summary=summary)
    lead = signed_in(parties.lead)
    assert "History" not in text(lead.get(reverse("pages:summary", args=[summary.pk])))
    assert lead.get(reverse("pages:summary-history", args=[summary.pk])).status_code == 404
    assert lead.get(reverse("api:summary-history", args=[summary.pk])).status_code == 404
    assert signed_in(parties.board_member).get(reverse("pages:summary-history", args=[summary.pk])).status_code == 200


def test_the_auditor_is_told_on_the_home_page_when_the_board_sends_a_summary_back(parties: Parties) -> None:
    summary = in_review(parties)
    services.summary_review(
        actor=parties.board_member, summary=summary, decision="request_changes", comment="Add the trend."
    )
    home = text(signed_in(parties.auditor).get(reverse("pages:home")))
    assert "Sent back by the board for changes" in home and summary.title in home


def test_a_second_press_of_send_is_not_a_second_comment(parties: Parties) -> None:
    summary = in_review(parties)
    board = signed_in(parties.board_member)
    seen = version(board, summary)
    for _ in range(2):
        board.post(
            reverse("pages:summary-review", args=[summary.pk]),
            {"decision": "comment", "comment": "Good.", "version": seen},
        )
    assert SummaryReview.objects.filter(summary=summary).count() == 1


def test_a_review_overtaken_by_another_decision_says_what_happened_and_gives_the_words_back(parties: Parties) -> None:
    summary = in_review(parties)
    board = signed_in(parties.board_member)
    seen = version(board, summary)
    services.summary_review(actor=parties.board_member, summary=summary, decision="request_changes", comment="Redo.")
    late = board.post(
        reverse("pages:summary-review", args=[summary.pk]),
        {"decision": "approve", "comment": "Session B approves.", "version": seen},
    )
    assert late.status_code == 409
    words = text(late)
    assert "went back to the auditor" in words and "Nothing was saved" in words
    assert "Session B approves." in words


def test_a_lead_sending_a_review_is_refused_as_not_theirs_to_make(parties: Parties) -> None:
    summary = in_review(parties)
    services.summary_review(actor=parties.board_member, summary=summary, decision="approve")
    summary.refresh_from_db()
    services.summary_publish(actor=parties.business_unit, summary=summary)
    summary.refresh_from_db()
    refused = signed_in(parties.lead).post(
        reverse("pages:summary-review", args=[summary.pk]), {"decision": "approve", "version": version_of(summary)}
    )
    assert refused.status_code == 403
    assert "Only board members review" in text(refused)


def test_the_compile_stores_the_published_figures_so_readers_never_wait_for_them(parties: Parties) -> None:
    from audits.summaries.published import published_content
    from audits.summaries.suppression import suppress_content

    summary = compiled(parties)
    threshold = parties.partnership.suppression_threshold
    assert summary.published["content"] == suppress_content(summary.content, threshold)
    assert published_content(summary) == summary.published["content"]
    parties.partnership.suppression_threshold = threshold + 5  # a new threshold: worked out again, not the stored
    parties.partnership.save()
    summary.refresh_from_db()
    assert published_content(summary) == suppress_content(summary.content, threshold + 5)


@pytest.mark.parametrize(("start", "what"), [("pages:summary-new", "summary"), ("pages:audit-new", "audit")])
def test_someone_in_two_partnerships_chooses_which_one_first(parties: Parties, start: str, what: str) -> None:
    from agencies.models import Membership, Role

    Membership.objects.create(user=parties.auditor, partnership=parties.other_partnership, role=Role.AUDITOR)
    words = text(signed_in(parties.auditor).get(reverse(start)))
    assert f"Which partnership is this {what} for?" in words
    assert parties.partnership.name in words and parties.other_partnership.name in words
    chosen = signed_in(parties.auditor).get(reverse(start), {"partnership": parties.other_partnership.pk})
    assert chosen.status_code == 200 and "Which partnership" not in text(chosen)


# --- speed at every size: the document is rendered once per version and kept, never across readers' kinds --------


def grades_row(words: str) -> str:
    """The "All agencies" row of the theme's grade table: outstanding, good, requires improvement, inadequate."""
    found = re.search(
        r"agreed findings by grade Agency Outstanding Good Requires improvement Inadequate (All agencies [^A-Z]+)",
        words,
    )
    assert found, "the page shows the theme's grade table"
    return found.group(1).strip()


@pytest.mark.parametrize("first", ["auditor", "board_member"])
def test_each_reader_gets_their_own_figures_whoever_read_the_summary_first(parties: Parties, first: str) -> None:
    summary = in_review(parties)
    readers = ["auditor", "board_member"] if first == "auditor" else ["board_member", "auditor"]
    rows = {
        who: grades_row(text(signed_in(getattr(parties, who)).get(reverse("pages:summary", args=[summary.pk]))))
        for who in readers
    }
    assert rows["auditor"] == "All agencies 0 10 0 2"  # the working view: exact
    assert (
        rows["board_member"] == "All agencies 0 [c] 0 [c]"
    )  # two inadequate: withheld, and the good that gives them away
    assert NARRATIVE not in text(signed_in(parties.board_member).get(reverse("pages:summary", args=[summary.pk])))


def test_an_edit_or_a_recompile_shows_at_once(parties: Parties) -> None:
    summary = compiled(parties)
    auditor = signed_in(parties.auditor)
    page = reverse("pages:summary", args=[summary.pk])
    assert grades_row(text(auditor.get(page))) == "All agencies 0 10 0 2"
    saved = auditor.post(
        reverse("pages:summary-texts", args=[summary.pk]),
        {"key_messages": "Supervision must record its decisions.", "version": version(auditor, summary)},
    )
    assert saved.status_code == 302
    assert "Supervision must record its decisions." in text(auditor.get(page))
    finding = summary.audits.get().cases.get(reference="C12").findings.get()
    finding.grade = Grade.INADEQUATE
    finding.save()
    summary.refresh_from_db()
    services.summary_claim_for_compile(summary)
    assert summary_compile(summary_id=summary.pk)
    assert grades_row(text(auditor.get(page))) == "All agencies 0 9 0 3"


def test_a_second_read_of_the_same_version_does_not_read_the_figures_again(parties: Parties) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    summary = in_review(parties)
    board = signed_in(parties.board_member)
    page = reverse("pages:summary", args=[summary.pk])
    board.get(page)  # the first read of this version renders the document
    with CaptureQueriesContext(connection) as queries:
        again = board.get(page)
    assert "[c]" in text(again)
    assert not [query for query in queries.captured_queries if '"content"' in query["sql"]]


def test_names_in_the_tables_are_printed_as_text_never_as_markup(parties: Parties) -> None:
    summary = compiled(parties)
    content = {**summary.content, "themes": [{**summary.content["themes"][0], "name": "Neglect <b>&</b>"}]}
    LearningSummary.objects.filter(pk=summary.pk).update(content=content, updated_at=timezone.now())
    body = signed_in(parties.auditor).get(reverse("pages:summary", args=[summary.pk])).content.decode()
    assert "Neglect <b>" not in body
    assert 'aria-label="Neglect &lt;b&gt;&amp;&lt;/b&gt;: agreed findings by grade"' in body
    assert '<caption class="govuk-table__caption govuk-table__caption--s">Neglect &lt;b&gt;&amp;&lt;/b&gt;:' in body
