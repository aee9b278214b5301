from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from audits.models import LearningSummary
from audits.services.summaries import summary_claim_for_compile
from audits.summaries.run import summary_compile
from macfa.errors import ApplicationError


class Command(BaseCommand):
    help = "Compile a learning summary here and now, with a progress bar, and print a readable digest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("summary_id", type=int)

    def handle(self, *args: Any, summary_id: int, **options: Any) -> None:
        summary = LearningSummary.objects.filter(pk=summary_id).first()
        if summary is None:
            raise CommandError(f"There is no learning summary {summary_id}.")
        try:
            summary_claim_for_compile(summary)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        with tqdm(total=100, desc="Compiling", unit="%", file=self.stderr._out, leave=True) as bar:

            def advance(stage: str, percent: int) -> None:
                bar.set_description(stage.capitalize())
                bar.update(percent - bar.n)

            try:
                summary_compile(summary_id=summary_id, on_progress=advance)
            except Exception as error:
                summary.refresh_from_db()
                raise CommandError(summary.error or str(error)) from None
            bar.set_description("Compiled")
            bar.update(100 - bar.n)
        summary.refresh_from_db()
        self.print_digest(summary)

    def print_digest(self, summary: LearningSummary) -> None:
        content = summary.content
        write = self.stdout.write
        write(self.style.SUCCESS(f"\n{summary.title} ({summary.partnership})"))
        write("Audits: " + ", ".join(a["reference"] for a in content["scope"]["audits"]))
        write(f"Cases: {content['scope']['cases']}; agreed findings: {content['scope']['agreed_findings']}")
        write(f"Proposed assurance: {summary.get_assurance_level_display()}")
        for theme in content["themes"]:
            grades = theme["grades"]
            write(self.style.MIGRATE_HEADING(f"\n{theme['name']}"))
            write(
                f"  outstanding {grades['outstanding']}, good {grades['good']}, "
                f"requires improvement {grades['requires_improvement']}, inadequate {grades['inadequate']}"
            )
            write(f"  {theme['evidence']['statement']}")
            for entry in theme["trend"]:
                for benchmark in entry["benchmarks"]:
                    write(
                        f"  {entry['audit']} against {benchmark['audit']}: {benchmark['direction']} "
                        f"({benchmark['good_share']}% → {entry['good_share']}% good or better)"
                    )
        totals = content["actions"]["totals"]
        write(
            f"\nActions: {totals.get('raised', 0)} raised, {totals.get('completed', 0)} completed, "
            f"{totals.get('verified', 0)} verified, {totals.get('overdue', 0)} overdue"
        )
        concerns = content["concerns"]
        write(
            f"Immediate concerns: {concerns['raised']} raised, "
            f"{concerns['acknowledged_within_one_working_day']} acknowledged within one working day"
        )
        write(
            f"(Exact figures: the working view. Published briefings hide counts below "
            f"{summary.partnership.suppression_threshold}.)"
        )
