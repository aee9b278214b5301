from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audits.demo import DEMO_PASSWORD, USERS, build_demo


class Command(BaseCommand):
    help = "Load the invented Severnvale demo partnership (safe to run again: it only adds what is missing)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:  # the demo makes a superuser whose password is published
            raise CommandError("load_demo refuses to run in production (MACFA_ENV=production): it is for demos only.")
        demo = build_demo()
        audits = ", ".join(sorted(demo["audits"]))
        self.stdout.write(self.style.SUCCESS(f"Demo partnership ready: {demo['partnership']} ({audits})."))
        self.stdout.write(
            f"Sign in at {settings.MACFA_SITE_URL}/ with the password {DEMO_PASSWORD!r} as any of these "
            "(the admin at /admin/ is for admin and business.unit):"
        )
        self.stdout.write("  admin              superuser")
        for username, _, _, role, agency_key in USERS:
            agency = f" ({demo['agencies'][agency_key]})" if agency_key else ""
            self.stdout.write(f"  {username:<18} {role.label}{agency}")
