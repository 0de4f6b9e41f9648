from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy as _


def _note_sign_in(sender, request, user, **kwargs) -> None:
    # Django's hook for every sign-in (the staff login, the admin's, force_login): the
    # one place that sees them all, so no way in skips noting the second factor.
    from planning.services import two_factor  # imports models: the registry is ready here

    if request is not None and hasattr(request, "session"):
        two_factor.sign_in_noted(request=request, user=user)


class PlanningConfig(AppConfig):
    name = "planning"
    verbose_name = _("Planning workspace")

    def ready(self) -> None:
        user_logged_in.connect(_note_sign_in, dispatch_uid="planning.two_factor")
