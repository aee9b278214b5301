from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from audits.models import Audit
from audits.sampling import FileProblem, check_rows, problem_count, read_csv
from audits.selectors import managed_audits_for
from audits.services.sampling import cases_import
from macfa.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Import an audit's cases from a CSV file (the columns of the page's template), all or nothing: "
        "every row's problems are printed and nothing is saved when any row is bad."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("audit_id", type=int)
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--as",
            dest="username",
            help="The person importing: the audit's auditor or its partnership's business unit "
            "(default: the audit's auditor).",
        )

    def handle(self, *args: Any, audit_id: int, file: Path, username: str | None, **options: Any) -> None:
        actor = self.actor(audit_id, username)
        audit = managed_audits_for(actor).select_related("partnership").filter(pk=audit_id).first()
        if audit is None:
            raise CommandError(f"{actor.get_username()} does not manage an audit {audit_id}.")
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        try:
            rows = check_rows(read_csv(content), audit=audit)
        except FileProblem as problem:
            raise CommandError(f"{file}: {problem.message} Nothing was saved.") from None
        if problem_count(rows):
            for row in rows:
                for message in row.problems:
                    self.stderr.write(f"Line {row.line}: {message}")
            bad = sum(1 for row in rows if row.problems)
            raise CommandError(f"{bad} of {len(rows)} rows have problems. Nothing was saved.")
        try:
            cases = cases_import(actor=actor, audit=audit, rows=rows)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        self.stdout.write(self.style.SUCCESS(f"Imported {len(cases)} cases into {audit.reference}."))

    def actor(self, audit_id: int, username: str | None) -> Any:
        if username:
            user = get_user_model().objects.filter(**{get_user_model().USERNAME_FIELD: username}).first()
            if user is None:
                raise CommandError(f"There is no user {username}.")
            return user
        audit = Audit.objects.select_related("auditor").filter(pk=audit_id).first()
        if audit is None:
            raise CommandError(f"There is no audit {audit_id}.")
        if audit.auditor is None:
            raise CommandError(f"Audit {audit_id} has no auditor: name who is importing with --as USERNAME.")
        return audit.auditor
