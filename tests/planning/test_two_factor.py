"""Two-factor sign-in (planning/views/accounts.py, planning/middleware.py): who must give a
code after the password, enrolling an authenticator app, codes right and wrong, the admin."""

import base64
import binascii
import re
import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django.asserts import assertContains, assertRedirects, assertTemplateUsed

from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"
DASHBOARD = "/plan/"


def _code(key: str, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows for `key` now (or a step or two later)."""
    totp = TOTP(binascii.unhexlify(key))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def _sign_in(client: Client, username: str = "ada", url_name: str = "login", next_url: str = ""):
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse(url_name), data, follow=True)


@pytest.fixture
def required_planner():
    """A planner of an organisation that requires two-factor sign-in, not yet enrolled."""
    organisation = OrganisationFactory(two_factor_required=True)
    return MembershipFactory(user__username="ada", organisation=organisation).user


def _enrol(client: Client) -> tuple[str, list[str]]:
    """Enrol an app through the page, as a user does; the key and the backup codes."""
    client.get(reverse("two_factor_enrol"))
    key = client.session["two_factor_enrol_key"]
    response = client.post(reverse("two_factor_enrol"), {"code": _code(key)})
    assert response.status_code == 200, response.content
    return key, response.context["backup_codes"]


@pytest.fixture
def enrolled_planner(required_planner):
    """The planner with an app enrolled, signed out again."""
    client = Client()
    client.force_login(required_planner)
    key, codes = _enrol(client)
    return required_planner, key, codes


def test_not_required_signs_in_with_the_password_alone(client: Client):
    MembershipFactory(user__username="ada")

    response = _sign_in(client)

    assert response.redirect_chain == [("/", 302), (DASHBOARD, 302)]
    assert response.status_code == 200


def test_required_by_the_organisation_the_password_alone_leads_to_enrolment(
    client: Client, required_planner
):
    response = _sign_in(client)
    workspace = client.get(DASHBOARD)
    admin = client.get(reverse("admin:index"))

    enrol = f"{reverse('two_factor_enrol')}?next=%2Fplan%2F"
    assert response.redirect_chain[-1] == (enrol, 302)
    assertTemplateUsed(response, "registration/two_factor_enrol.html")
    assertRedirects(workspace, enrol, fetch_redirect_response=False)
    assert admin.status_code == 302
    assert admin["Location"].startswith(reverse("two_factor_enrol"))


def test_enrolment_page_shows_a_qr_code_and_the_secret_to_type_in(client: Client):
    client.force_login(UserFactory(username="ada"))

    response = client.get(reverse("two_factor_enrol"))

    key = client.session["two_factor_enrol_key"]
    secret = re.search(r'id="two-factor-secret">([A-Z2-7 ]+)<', response.content.decode())
    assert secret.group(1).replace(" ", "") == base64.b32encode(binascii.unhexlify(key)).decode()
    assertContains(response, '<svg width="', count=1)
    assertContains(response, 'role="img" aria-label="QR code of the key', count=1)
    assert TOTPDevice.objects.count() == 0  # nothing saved before the first code


def test_enrolment_with_the_first_code_opens_the_workspace_and_gives_backup_codes(
    client: Client, required_planner
):
    _sign_in(client)

    key, codes = _enrol(client)

    assert len(codes) == len(set(codes)) == 10
    device = TOTPDevice.objects.get(user=required_planner)
    assert (device.key, device.confirmed) == (key, True)
    assert client.get(DASHBOARD).status_code == 200


def test_enrolment_with_a_wrong_code_shows_the_error_next_to_the_field(
    client: Client, required_planner
):
    _sign_in(client)
    client.get(reverse("two_factor_enrol"))
    key = client.session["two_factor_enrol_key"]
    wrong = f"{(int(_code(key)) + 1) % 1_000_000:06d}"

    response = client.post(reverse("two_factor_enrol"), {"code": wrong})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["code"]
    assertContains(response, 'class="invalid-feedback"')
    assertContains(response, "This code does not match.")
    assert not TOTPDevice.objects.exists()
    assert client.session["two_factor_enrol_key"] == key  # the same key to try again
    assert client.get(DASHBOARD).status_code == 302


def test_enrolled_the_password_alone_leads_to_the_code_page_not_the_workspace(
    client: Client, enrolled_planner
):
    response = _sign_in(client)

    verify = f"{reverse('two_factor_verify')}?next=%2Fplan%2F"
    assert response.redirect_chain[-1] == (verify, 302)
    assertTemplateUsed(response, "registration/two_factor_verify.html")
    assertRedirects(client.get(DASHBOARD), verify, fetch_redirect_response=False)


def test_a_right_code_opens_the_workspace(client: Client, enrolled_planner):
    _user, key, _codes = enrolled_planner
    _sign_in(client)

    response = client.post(
        reverse("two_factor_verify"), {"code": _code(key, steps_ahead=1), "next": DASHBOARD}
    )

    assertRedirects(response, DASHBOARD)
    assert client.get(DASHBOARD).status_code == 200


def test_a_wrong_code_shows_the_error_next_to_the_field(client: Client, enrolled_planner):
    _user, key, _codes = enrolled_planner
    _sign_in(client)
    wrong = f"{(int(_code(key, steps_ahead=1)) + 1) % 1_000_000:06d}"

    response = client.post(reverse("two_factor_verify"), {"code": wrong, "next": DASHBOARD})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["code"]
    field = re.search(
        r'<input[^>]*name="code"[^>]*aria-invalid="true"[^>]*>\s*'
        r'<div id="id_code_error" class="invalid-feedback">\s*<p[^>]*><strong>([^<]+)',
        response.content.decode(),
    )
    assert field, response.content.decode()
    assert field.group(1).startswith("This code is not right")
    assert client.get(DASHBOARD).status_code == 302


def test_a_backup_code_signs_in_once(enrolled_planner):
    _user, _key, codes = enrolled_planner
    first, second = Client(), Client()
    _sign_in(first)
    _sign_in(second)

    used = first.post(reverse("two_factor_verify"), {"code": codes[0].upper()})
    again = second.post(reverse("two_factor_verify"), {"code": codes[0]})

    assertRedirects(used, "/", fetch_redirect_response=False)
    assert again.status_code == 200
    assert list(again.context["form"].errors) == ["code"]
    assert StaticToken.objects.count() == 9


def test_a_code_of_the_same_time_step_works_once(enrolled_planner):
    """The enrolment's code cannot sign in again (a code seen over a shoulder)."""
    _user, key, _codes = enrolled_planner
    client = Client()
    _sign_in(client)

    response = client.post(reverse("two_factor_verify"), {"code": _code(key)})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["code"]


@pytest.fixture
def superuser():
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def test_production_setting_requires_the_code_of_superusers_in_the_admin(
    client: Client, superuser, settings
):
    settings.TWO_FACTOR_REQUIRED_FOR_SUPERUSERS = True

    signed_in = _sign_in(client, "root", "admin:login", next_url="/admin/")
    admin = client.get(reverse("admin:index"))
    users = client.get(reverse("admin:auth_user_changelist"))

    assertTemplateUsed(signed_in, "registration/two_factor_enrol.html")
    assert admin.status_code == users.status_code == 302
    assert users["Location"].startswith(reverse("two_factor_enrol"))
    key, _codes = _enrol(client)
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_admin_asks_an_enrolled_superuser_for_the_code_after_the_password(
    client: Client, superuser, settings
):
    settings.TWO_FACTOR_REQUIRED_FOR_SUPERUSERS = True
    setup = Client()
    setup.force_login(superuser)
    key, _codes = _enrol(setup)

    signed_in = _sign_in(client, "root", "admin:login", next_url="/admin/")
    before = client.get(reverse("admin:index"))
    client.post(reverse("two_factor_verify"), {"code": _code(key, steps_ahead=1)})
    after = client.get(reverse("admin:index"))

    assertTemplateUsed(signed_in, "registration/two_factor_verify.html")
    assert before.status_code == 302
    assert after.status_code == 200


def test_locally_a_superuser_signs_in_to_the_admin_with_the_password(
    client: Client, superuser, settings
):
    settings.TWO_FACTOR_REQUIRED_FOR_SUPERUSERS = False

    response = _sign_in(client, "root", "admin:login", next_url="/admin/")

    assert response.redirect_chain == [("/admin/", 302)]
    assert response.status_code == 200


def test_a_session_from_before_the_check_is_decided_on_its_first_request(
    client: Client, required_planner
):
    """Deny by default: a session with no note of the second factor (signed in before
    this was deployed) is checked, not let through."""
    client.force_login(required_planner)
    session = client.session
    del session["two_factor_needed"]
    session.save()

    response = client.get(DASHBOARD)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_enrol"))


def test_the_pages_of_the_second_factor_need_a_signed_in_user(client: Client):
    for name in ("two_factor_verify", "two_factor_enrol"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_next_to_another_site_goes_home_instead(client: Client, enrolled_planner):
    _user, key, _codes = enrolled_planner
    _sign_in(client)

    response = client.post(
        reverse("two_factor_verify"),
        {"code": _code(key, steps_ahead=1), "next": "https://evil.example/"},
    )

    assertRedirects(response, "/", fetch_redirect_response=False)


def test_an_organisation_requires_two_factor_sign_in_from_the_admin(client: Client, superuser):
    organisation = OrganisationFactory(name="Leipzig")
    planner = MembershipFactory(user__username="ada", organisation=organisation).user
    client.force_login(superuser)
    url = reverse("admin:organisations_organisation_change", args=[organisation.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("sectors", "two_factor_required")
    }

    response = client.post(url, {**data, "two_factor_required": "on"})

    assert response.status_code == 302, response.context["adminform"].form.errors
    organisation.refresh_from_db()
    assert organisation.two_factor_required
    signed_in = _sign_in(Client())
    assertTemplateUsed(signed_in, "registration/two_factor_enrol.html")
    assert planner.memberships.get().organisation == organisation
