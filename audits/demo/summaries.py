"""The demo's learning summaries: the neglect comparison waiting for the board's review, and the early-help audit's
summary approved and published, so every role has a summary to work on. Their texts are invented, in the words an
auditor would write for a board, modelled on the reference report's learning."""

from __future__ import annotations

from typing import Any

from agencies.models import Partnership
from audits.choices import ReviewDecision, SummaryStatus
from audits.demo.data import NEGLECT_FOCUS
from audits.models import Audit, LearningSummary, Theme
from audits.services import summaries as services
from audits.summaries.export import summary_export
from audits.summaries.run import summary_compile

NEGLECT_TITLE = "Neglect: MACFA 14, 26 and 31 compared"
EARLY_HELP_TITLE = "Early help: MACFA 30"
TEXTS = {
    NEGLECT_TITLE: {
        "key_messages": (
            "Practice on neglect is better than in 2014 and 2017, but parents' histories are still not weighed in "
            "assessments of their capacity to change.\n"
            "Children's lived experience is recorded more often; how it changed decisions is seldom written down.\n"
            "Drift after a change of worker remains the commonest reason for an inadequate judgement."
        ),
        "strengths": (
            "Chronologies were shared between agencies before strategy discussions in most cases.\n"
            "Health visitors and schools recorded what children said about home in their own words."
        ),
        "areas_for_improvement": (
            "Assess the men in the household, including those who are not the child's father.\n"
            "Write plans with SMART objectives, timescales and a contingency if change is not sustained.\n"
            "Avoid 'start again syndrome' when a case moves between workers or services."
        ),
    },
    EARLY_HELP_TITLE: {
        "key_messages": (
            "Family Support Workers gave intensive help that families valued.\n"
            "In two cases Level 3 early help was questioned given the complexity of needs and risks.\n"
            "Lead professionals were named in every case, and plans were better than in earlier audits."
        ),
        "strengths": (
            "The child's voice was well recorded and shaped the work in most cases.\n"
            "Plans named a lead professional and were reviewed on time."
        ),
        "areas_for_improvement": (
            "Step up to children's social care when risks grow rather than extending early help.\n"
            "Record the contingency when a family does not engage."
        ),
    },
}


def build_summaries(
    *, partnership: Partnership, users: dict[str, Any], audits: dict[str, Audit], themes: dict[str, Theme]
) -> None:
    neglect = _summary(
        partnership,
        NEGLECT_TITLE,
        users,
        [audits["MACFA 14"], audits["MACFA 26"], audits["MACFA 31"]],
        [themes[slug] for slug in NEGLECT_FOCUS],
    )
    early_help = _summary(
        partnership,
        EARLY_HELP_TITLE,
        users,
        [audits["MACFA 30"]],
        [themes[slug] for slug in ("voice-of-the-child", "early-help", "lead-professional", "smart-plans")],
    )
    _prepare(neglect, users)
    if _prepare(early_help, users):
        services.summary_review(
            actor=users["board.member"],
            summary=early_help,
            decision=ReviewDecision.APPROVE,
            comment="Clear and well evidenced. Approved for the practitioners' briefing.",
        )
        early_help.refresh_from_db()
        summary_export(summary_id=early_help.pk)
        services.summary_publish(actor=users["business.unit"], summary=early_help)


def _summary(
    partnership: Partnership, title: str, users: dict[str, Any], audits: list[Audit], themes: list[Theme]
) -> LearningSummary:
    summary = LearningSummary.objects.filter(partnership=partnership, title=title).first()
    if summary is None:
        summary = services.summary_create(
            actor=users["business.unit"], partnership=partnership, title=title, themes=themes, audits=audits
        )
    return summary


def _prepare(summary: LearningSummary, users: dict[str, Any]) -> bool:
    """Compile a new summary, write its texts as the auditor and send it to the board; False if done before."""
    if summary.status != SummaryStatus.DRAFT:
        return False
    texts = TEXTS[summary.title]
    services.summary_update(
        actor=users["auditor"],
        summary=summary,
        key_messages=texts["key_messages"],
        strengths=texts["strengths"],
        areas_for_improvement=texts["areas_for_improvement"],
    )
    services.summary_claim_for_compile(summary)
    summary_compile(summary_id=summary.pk)
    summary.refresh_from_db()
    services.summary_submit(actor=users["auditor"], summary=summary)
    summary.refresh_from_db()
    return True
