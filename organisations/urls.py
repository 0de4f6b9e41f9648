"""The organisation directory under /plan/directory/ (namespace `directory`)."""

from django.urls import path  # noqa: F401  (routes are added area by area)

app_name = "directory"

urlpatterns: list = []
