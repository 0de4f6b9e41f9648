from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from missions.views.home import home

from .health import healthz

admin.site.site_header = "Itinera"
admin.site.site_title = "Itinera"
admin.site.index_title = _("Missions, itineraries and delegations")

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("plan/", include("missions.urls")),
    path("plan/directory/", include("organisations.urls")),
    path("r/", include("missions.urls_rsvp")),
    path("d/", include("missions.urls_delegate")),
]
