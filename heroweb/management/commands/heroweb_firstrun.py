"""Print how to reach heroweb, and the one-time setup link while no account exists."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from heroweb import firstrun


class Command(BaseCommand):
    help = "Print the first-run setup link (while no user exists) or the login address."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        base = f"http://{options['host']}:{options['port']}"
        if not firstrun.setup_needed():
            self.stdout.write(f"heroweb: log in at {base}/login/")
            return
        token = firstrun.new_token()
        self.stdout.write(
            "\n"
            "heroweb: no account exists yet. Create the first admin account here (the link\n"
            "works once, until an account exists; run `make run` again for a new one):\n"
            f"\n    {base}/setup/{token}/\n\n"
            "or from a shell: .venv/bin/python manage.py createsuperuser\n"
        )
