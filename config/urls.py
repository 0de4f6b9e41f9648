from django.contrib import admin
from django.urls import include, path

from .health import healthz

admin.site.site_header = "Itinera"
admin.site.site_title = "Itinera"
admin.site.index_title = "Missions, itineraries and delegations"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("missions.urls")),
]
