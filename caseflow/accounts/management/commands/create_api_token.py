from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from caseflow.accounts.models import User
from caseflow.accounts.services import create_api_token
from caseflow.core.errors import DomainError
from caseflow.core.models import Channel


class Command(BaseCommand):
    help = "Create a personal API token for USERNAME and print it (it is shown only once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("name", help="where the token is used, e.g. 'PBX bridge'")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        try:
            _token, key = create_api_token(actor=None, user=user, name=name, channel=Channel.ADMIN)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(key)
