#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseflow.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 - loads the settings: a bad environment stops here
    except ImproperlyConfigured as exc:
        # One line, not a traceback: the environment is wrong, not the code.
        sys.stderr.write(
            f"manage.py: {exc}.\n"
            "On a laptop, run commands as scripts/demo does, with DEBUG=true; a server sets "
            "SECRET_KEY and the rest of its environment (README.md, Configuration).\n"
        )
        sys.exit(1)
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
