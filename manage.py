#!/usr/bin/env python
"""Django's command-line utility.

Production settings unless DJANGO_SETTINGS_MODULE says otherwise, so that a command run on
a server never falls back to DEBUG and a published secret key; `make run` and
`make messages` ask for config.settings.local, as a developer does with
`export DJANGO_SETTINGS_MODULE=config.settings.local`.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
