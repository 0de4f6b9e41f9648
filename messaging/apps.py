from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _

from messaging.checks import relay_limits_check


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Messages and reminders")

    def ready(self) -> None:
        checks.register(relay_limits_check)
        # Imported here, not at the top: the kinds' modules import models, which need the
        # app registry that is being filled while this module is imported.
        from messaging import kinds

        kinds.register_all()
