"""The directory's admin (organisations/admin.py)."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_user_autocomplete_for_membership_finds_by_username(admin_client):
    ada = UserFactory(username="ada")
    query = "app_label=organisations&model_name=membership&field_name=user&term=ada"

    response = admin_client.get(f"{reverse('admin:autocomplete')}?{query}")

    assert response.json() == {
        "results": [{"id": str(ada.pk), "text": "ada"}],
        "pagination": {"more": False},
    }
