"""Load the demo missions of `make run` (missions/demo.py). Safe to run again."""

from django.core.management.base import BaseCommand

from missions.demo import load_demo


class Command(BaseCommand):
    help = "Create or update the five demo missions and their directory entries. Idempotent."

    def handle(self, *args, **options) -> None:
        counts = load_demo()
        self.stdout.write(
            f"Demo data: {counts['missions']} missions, {counts['items']} itinerary items, "
            f"{counts['participants']} participants, {counts['people']} people, "
            f"{counts['organisations']} organisations, {counts['venues']} venues, "
            f"{counts['sectors']} sectors ({counts['created']} rows created, "
            f"{counts['updated']} updated)."
        )
