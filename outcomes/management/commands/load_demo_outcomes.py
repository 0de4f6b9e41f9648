"""Load the demo outcomes of the seed missions (outcomes/demo.py), after `load_demo`.
Safe to run again."""

from django.core.management.base import BaseCommand

from outcomes.demo import load


class Command(BaseCommand):
    help = "Record the demo outcomes of the seed missions (after load_demo). Idempotent."

    def handle(self, *args, **options) -> None:
        counts = load()
        self.stdout.write(
            f"Demo outcomes: {counts['outcomes']} ({counts['created']} created); "
            f"{counts['missing_missions']} seed missions not found (run load_demo first)."
        )
