from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rest_framework.authtoken.models import Token

from macfa.authentication import token_expired


class Command(BaseCommand):
    help = "Print the API token of a user (made if they have none), for `Authorization: Token <key>`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--rotate", action="store_true", help="Replace the user's token with a new one.")

    def handle(self, *args: Any, username: str, rotate: bool, **options: Any) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user called {username!r}.")
        existing = Token.objects.filter(user=user).first()
        if rotate or (existing is not None and token_expired(existing)):  # an expired token is of no use to print
            Token.objects.filter(user=user).delete()
        token, _ = Token.objects.get_or_create(user=user)
        self.stdout.write(f"API token for {username} (send it as 'Authorization: Token <key>'):")
        self.stdout.write(token.key)
