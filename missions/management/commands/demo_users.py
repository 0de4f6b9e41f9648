"""Create the demo logins of `make run`: a superuser and two planners. Safe to run again."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from organisations.enums import MembershipRole
from organisations.models import Membership, Organisation

# (username, password, superuser, organisation the user plans for); demo only.
DEMO_USERS = [
    ("admin", "itinera-admin", True, None),
    ("planner", "itinera-planner", False, ("Birmingham City Council", "Birmingham")),
    ("leipzig", "itinera-leipzig", False, ("City of Leipzig", "Leipzig")),
]


class Command(BaseCommand):
    help = "Create the demo superuser and planners (after load_demo) and print their logins."

    def handle(self, *args, **options) -> None:
        if not settings.DEMO_USERS_ALLOWED:
            raise CommandError(
                "demo_users resets the demo logins to their published passwords; these "
                "settings do not allow it (DEMO_USERS_ALLOWED is off, as in production)."
            )
        User = get_user_model()
        for username, password, is_superuser, organisation in DEMO_USERS:
            user, _ = User.objects.get_or_create(
                username=username, defaults={"email": f"{username}@example.org"}
            )
            user.is_staff = user.is_superuser = is_superuser
            user.set_password(password)  # demo logins are reset on every run, on purpose
            user.save()
            where = "superuser, Django admin"
            if organisation:
                name, city = organisation
                try:
                    org = Organisation.objects.get(name=name, city=city)
                except Organisation.DoesNotExist:
                    message = f"{name} is missing: run `manage.py load_demo` first."
                    raise CommandError(message) from None
                Membership.objects.get_or_create(
                    user=user, organisation=org, defaults={"role": MembershipRole.PLANNER}
                )
                where = f"planner at {name}"
            self.stdout.write(f"  login {username!r:12} password {password!r:20} ({where})")
