import pytest

from missions.display import user_name
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("first_name", "last_name", "email", "expected"),
    [
        ("Fiona", "Latter", "fiona@example.org", "Fiona Latter"),
        ("", "", "planner@example.org", "planner@example.org"),
        ("", "", "", "planner"),
    ],
)
def test_user_name_is_the_full_name_else_the_address_never_the_username_beside_it(
    first_name, last_name, email, expected
):
    user = UserFactory(username="planner", first_name=first_name, last_name=last_name, email=email)

    assert user_name(user) == expected
