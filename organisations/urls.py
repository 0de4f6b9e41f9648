"""The organisation directory under /plan/directory/ (namespace `directory`)."""

from django.urls import path

from . import views

app_name = "directory"

urlpatterns: list = [
    path("", views.organisation_list, name="organisation-list"),
    path("<int:pk>/", views.organisation_detail, name="organisation-detail"),
    # Pickers of the itinerary builder: <option> fragments for htmx active search.
    path("organisations/options/", views.organisation_options, name="organisation-options"),
    path("venues/options/", views.venue_options, name="venue-options"),
    path("venues/new/", views.venue_create, name="venue-create"),
]
