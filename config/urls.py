from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from config.health import healthz
from planning.views import accounts
from planning.views.home import home

admin.site.site_header = "Itinera"
admin.site.site_title = "Itinera"
admin.site.index_title = _("Missions, itineraries and delegations")


class FaviconRedirect(RedirectView):
    """Browsers ask for /favicon.ico whatever a page links to: the icon is a static file
    (static/favicon.ico, its name hashed in production), so they are sent there."""

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("favicon.ico")


urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", FaviconRedirect.as_view(), name="favicon"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Before Django's: the reset mail goes through the outbox, and the second factor.
    path(
        "accounts/password_reset/",
        accounts.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path("accounts/two-factor/", accounts.verify, name="two_factor_verify"),
    path("accounts/two-factor/enrol/", accounts.enrol, name="two_factor_enrol"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("plan/", include("planning.urls")),
    path("", include("portal.urls")),
]
