"""Load the demo of `make run`: missions.demo (the missions) and messaging.demo (their mail).

Here, in the messaging room, because the demo's mail is messaging's and the missions room
may not import it. Safe to run again, on the same day or a later one.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from matchmaking.demo import load_demo_matchmaking
from messaging.demo import load_demo_mail
from missions.demo import delegate_links, load_demo
from missions.demo.living import DEADLINE_IN_DAYS
from outcomes.demo import load as load_demo_outcomes


class Command(BaseCommand):
    help = (
        "Create or update the demo: five real missions at their real dates, and two that "
        f"live relative to today: an upcoming one (three to four weeks ahead, "
        f"invitations sent, answers mixed, RSVP deadline in {DEADLINE_IN_DAYS} days) and one "
        "under way (yesterday to tomorrow), the upcoming one with matchmaking (profiles, "
        "requests, a published schedule of meetings). Idempotent: run again the same day it "
        "changes nothing; on a later day it moves the two living missions (dates, items, answers, "
        "messages) to stay as far from today as before, and creates nothing twice. Demo "
        "rows changed by hand are put back; other rows are left alone. No e-mail is sent."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--delegate-links",
            action="store_true",
            dest="print_links",
            help="Also print the personal links of two delegates of the upcoming mission "
            "(one who accepted, one who has not answered). Secrets: whoever has a link "
            "opens that delegate's page.",
        )

    def handle(self, *args, print_links: bool = False, **options) -> None:
        now = timezone.now()
        with transaction.atomic():
            counts = load_demo(now=now)
            mail = load_demo_mail(now=now)
            matchmaking = load_demo_matchmaking(now=now)
            outcomes = load_demo_outcomes()
        self.stdout.write(
            f"Demo data: {counts['missions']} missions, {counts['items']} itinerary items, "
            f"{counts['participants']} participants, {counts['people']} people, "
            f"{counts['organisations']} organisations, {counts['venues']} venues, "
            f"{counts['sectors']} sectors, {counts['actions']} follow-up actions, "
            f"{counts['feedback']} feedback ({counts['item_ratings']} item ratings), "
            f"{mail['messages']} messages, "
            f"{mail['rules']} reminder rules, {outcomes['outcomes']} outcomes "
            f"({counts['created'] + mail['created'] + outcomes['created']} rows created, "
            f"{counts['updated'] + mail['updated']} updated)."
        )
        self.stdout.write(
            f"Matchmaking on the upcoming mission: {matchmaking['profiles']} profiles, "
            f"{matchmaking['requests']} requests, {matchmaking['meetings']} meetings published."
        )
        if print_links:
            for participant, url in delegate_links():
                self.stdout.write(
                    f"  {participant.person.full_name} "
                    f"({participant.get_rsvp_status_display().lower()}): {url}"
                )
