"""The `relais` command: Django's management CLI with Relais's settings.

`relais help --country FR ...` prints a help card; `relais help` alone (or `relais help migrate`) is still
Django's own help.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relais.settings")
    if len(argv) > 1 and argv[1] == "help" and any(a.startswith("-") for a in argv[2:]):
        argv[1] = "help_card"
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
