"""The planning workspace under /plan/ (namespace `plan`).

Every view that takes an object id looks it up through missions.selectors, so an
object out of the user's scope is a 404.
"""

from django.urls import path  # noqa: F401  (routes are added area by area)

app_name = "plan"

urlpatterns: list = [
    # Dashboard and missions (views/dashboard.py, views/missions.py)
    # Itinerary builder (views/itinerary.py)
    # Participants, import and exports (views/participants.py)
]
