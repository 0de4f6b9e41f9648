"""Signing in and out, and choosing a new password by e-mail or when signed in."""

import ipaddress
import re
import secrets

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects, assertTemplateUsed

from messaging.enums import MessageKind, MessageState
from messaging.models import OutgoingMessage
from messaging.tasks import deliver_messages
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a new and long passphrase 42"


def test_login_page_links_to_password_reset(client: Client):
    response = client.get(reverse("login"))

    assertContains(
        response, f'<a href="{reverse("password_reset")}">Forgot your password?</a>', count=1
    )
    assertContains(response, 'name="username" autofocus', count=1)


def test_login_with_right_password_lands_on_the_dashboard(client: Client):
    user = MembershipFactory(user__username="ada").user

    response = client.post(reverse("login"), {"username": "ada", "password": PASSWORD}, follow=True)

    assert response.redirect_chain == [("/", 302), (reverse("plan:dashboard"), 302)]
    assert response.context["user"] == user


def test_login_with_wrong_password_says_so_and_stays_signed_out(client: Client):
    UserFactory(username="ada")

    response = client.post(reverse("login"), {"username": "ada", "password": "wrong"})

    assert response.status_code == 200
    assertContains(response, "Please enter a correct username and password.")
    assert not response.context["user"].is_authenticated


def test_login_next_to_a_plan_page_returns_there(client: Client):
    UserFactory(username="ada")
    dashboard = reverse("plan:dashboard")

    response = client.post(
        f"{reverse('login')}?next={dashboard}",
        {"username": "ada", "password": PASSWORD, "next": dashboard},
    )

    assertRedirects(response, dashboard)


def test_logout_signs_out_and_goes_home(client: Client):
    client.force_login(UserFactory())

    response = client.post(reverse("logout"))

    assertRedirects(response, "/")
    assert client.get(reverse("plan:dashboard")).status_code == 302


def _reset_link(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", body)
    assert match, body
    return match.group(1)


def _deliver(message: OutgoingMessage) -> None:
    """What the worker does with the row after the request's commit."""
    deliver_messages.apply(kwargs={"message_ids": [message.pk]}).get()


def test_password_reset_queues_one_outbox_row_and_sends_nothing_in_the_request(
    client: Client, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory(username="ada", email="ada@example.org")

    with django_capture_on_commit_callbacks(execute=False) as handed_over:
        response = client.post(reverse("password_reset"), {"email": "ADA@example.org"})

    assertRedirects(response, reverse("password_reset_done"))
    assert mailoutbox == []
    [message] = OutgoingMessage.objects.all()
    assert (message.kind, message.recipient_email, message.state) == (
        MessageKind.PASSWORD_RESET,
        "ada@example.org",
        MessageState.QUEUED,
    )
    assert len(handed_over) == 1  # to the worker, after commit
    # The row holds the account's id, not a working link (it is made as the mail is sent).
    assert message.context == {"user": user.pk}
    row = " ".join(str(value) for value in OutgoingMessage.objects.values().get().values())
    assert "/accounts/reset/" not in row
    assert default_token_generator.make_token(user) not in row


def test_password_reset_by_email_end_to_end(client: Client, mailoutbox):
    user = UserFactory(username="ada", email="ada@example.org")

    response = client.post(reverse("password_reset"), {"email": "ADA@example.org"})
    _deliver(OutgoingMessage.objects.get())

    assertRedirects(response, reverse("password_reset_done"))
    [mail] = mailoutbox
    assert mail.to == ["ada@example.org"]  # no full name: the address alone, not the username
    assert mail.subject == "Choose a new password for Itinera"
    assert "Your username is ada." in mail.body
    link = _reset_link(mail.body)
    assert link in mail.alternatives[0].content
    assert OutgoingMessage.objects.get().state == MessageState.SENT

    form_page = client.get(link, follow=True)
    assertContains(form_page, "Choose a new password")
    set_password_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assertRedirects(done, reverse("password_reset_complete"))
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.login(request=HttpRequest(), username="ada", password=NEW_PASSWORD)
    # The link works once.
    client.logout()
    again = client.get(link, follow=True)
    assertContains(again, "This link has expired or was already used.")


def test_password_reset_mail_is_in_the_language_it_was_asked_in(client: Client, mailoutbox):
    UserFactory(username="ada", email="ada@example.org")

    client.post(reverse("password_reset"), {"email": "ada@example.org"}, HTTP_ACCEPT_LANGUAGE="de")
    _deliver(OutgoingMessage.objects.get())

    [mail] = mailoutbox
    assert mail.subject == "Neues Passwort für Itinera festlegen"
    assert "/accounts/reset/" in mail.body


def test_password_reset_to_an_account_whose_address_changed_meanwhile_is_not_sent(
    client: Client, mailoutbox
):
    user = UserFactory(username="ada", email="ada@example.org")
    client.post(reverse("password_reset"), {"email": "ada@example.org"})
    user.email = "ada@elsewhere.example"
    user.save()

    _deliver(OutgoingMessage.objects.get())

    assert mailoutbox == []
    assert OutgoingMessage.objects.get().state == MessageState.FAILED


def test_password_reset_for_unknown_address_sends_nothing_and_tells_nothing(
    client: Client, mailoutbox
):
    UserFactory(email="ada@example.org")

    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    known = Client().post(reverse("password_reset"), {"email": "ada@example.org"})

    assertRedirects(unknown, reverse("password_reset_done"))
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert mailoutbox == []
    assert list(OutgoingMessage.objects.values_list("recipient_email", flat=True)) == [
        "ada@example.org"
    ]


def _unique_address() -> str:
    """A client address of its own: the counts in Redis outlive a test."""
    return str(ipaddress.IPv4Address(0x0A000000 + secrets.randbelow(0x00FFFFFF)))


@pytest.mark.redis
@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "Too many requests"), ("de", "Zu viele Anfragen")],
)
def test_the_fourth_reset_for_an_address_in_an_hour_is_refused_politely(
    client: Client, mailoutbox, language, text
):
    email = f"ada-{secrets.token_hex(6)}@example.org"
    UserFactory(username="ada", email=email)
    url = reverse("password_reset")

    statuses = [
        client.post(
            url, {"email": email}, REMOTE_ADDR=_unique_address(), HTTP_ACCEPT_LANGUAGE=language
        ).status_code
        for _ in range(3)
    ]
    refused = client.post(
        url, {"email": email}, REMOTE_ADDR=_unique_address(), HTTP_ACCEPT_LANGUAGE=language
    )

    assert statuses == [302, 302, 302]
    assertContains(refused, text, status_code=429)
    assertTemplateUsed(refused, "registration/password_reset_throttled.html")
    # Three requests in one minute are one e-mail (the occasion is the minute).
    assert OutgoingMessage.objects.count() == 1


@pytest.mark.redis
def test_resets_from_one_client_are_refused_past_ten_an_hour(client: Client):
    address = _unique_address()
    url = reverse("password_reset")

    statuses = [
        client.post(
            url, {"email": f"{n}-{secrets.token_hex(6)}@example.org"}, REMOTE_ADDR=address
        ).status_code
        for n in range(11)
    ]
    elsewhere = client.post(
        url, {"email": f"else-{secrets.token_hex(6)}@example.org"}, REMOTE_ADDR=_unique_address()
    )

    assert statuses == [302] * 10 + [429]
    assert elsewhere.status_code == 302


@pytest.mark.parametrize(
    "email", ["not an address", "<script>@x", "a" * 10_000 + "@example.org", "💌@例え.jp"]
)
def test_password_reset_with_bad_address_shows_the_error_next_to_the_field(
    client: Client, mailoutbox, email
):
    response = client.post(reverse("password_reset"), {"email": email})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["email"]
    assertContains(response, "invalid-feedback")
    assert mailoutbox == []
    assert not OutgoingMessage.objects.exists()


def test_password_reset_pages_use_the_apps_templates(client: Client):
    response = client.get(reverse("password_reset"))

    assertTemplateUsed(response, "registration/password_reset_form.html")
    assertContains(response, 'autofocus="autofocus"', count=1)
    assertContains(response, "Itinera")


def test_password_change_when_signed_in(client: Client):
    user = UserFactory()
    client.force_login(user)

    page = client.get(reverse("password_change"))
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assertContains(page, "Change your password")
    assertRedirects(response, reverse("password_change_done"))
    assert get_user_model().objects.get(pk=user.pk).check_password(NEW_PASSWORD)


# THROTTLING (django-axes) ------------------------------------------------------------


def _sign_in(client: Client, url: str, password: str, address: str = "192.0.2.10"):
    return client.post(
        url, {"username": "ada", "password": password}, REMOTE_ADDR=address, follow=False
    )


@pytest.mark.parametrize("url_name", ["login", "admin:login"])
def test_five_wrong_passwords_lock_the_user_out_from_that_address(client: Client, url_name):
    """The fifth wrong password locks the pair out: that attempt and the next, even with
    the right password, get the page that says so (429), on the staff sign-in and the
    admin's alike; another address may still sign in."""
    UserFactory(username="ada", is_staff=True)
    url = reverse(url_name)

    wrong = [_sign_in(client, url, "wrong").status_code for _ in range(5)]
    locked = _sign_in(client, url, PASSWORD)

    assert wrong == [200, 200, 200, 200, 429]  # the form again with its error, then locked
    assert locked.status_code == 429
    assertTemplateUsed(locked, "registration/locked_out.html")
    assertContains(locked, "Try again in 15 minutes", status_code=429)
    assert "_auth_user_id" not in client.session
    elsewhere = _sign_in(Client(), url, PASSWORD, address="198.51.100.7")
    assert elsewhere.status_code == 302


def test_a_right_password_resets_the_count_of_wrong_ones(client: Client):
    UserFactory(username="ada")
    url = reverse("login")

    for _ in range(4):
        _sign_in(client, url, "wrong")
    assert _sign_in(client, url, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        _sign_in(client, url, "wrong")

    assert _sign_in(client, url, PASSWORD).status_code == 302
