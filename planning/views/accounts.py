"""Staff accounts: the second factor after the password, and asking for a new password.

After the password, a user who must use a second factor (planning/middleware.py) lands on
`verify` (a code from their app, or a backup code) or, with no app yet, on `enrol` (a QR
code and the secret as text, confirmed by the app's first code, then ten backup codes
shown once). Anyone signed in may enrol; enrolling again needs the session verified.

`PasswordResetView` is Django's, with the e-mail queued in the outbox and the requests
throttled (planning/services/accounts.py): the answer is the same page whether or not an
account has the address, and no mail is sent inside the request.
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from messaging.password_resets import password_resets_queue
from planning.forms.accounts import CodeForm, EnrolForm
from planning.services import two_factor
from planning.services.accounts import password_reset_throttled


def _next(request: HttpRequest) -> str:
    """Where to go after the code: the `next` asked for, if it is ours, else the home page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return settings.LOGIN_REDIRECT_URL


def _with_next(name: str, request: HttpRequest) -> HttpResponseRedirect:
    response = redirect(name)
    response["Location"] += f"?{request.GET.urlencode()}" if request.GET else ""
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    if request.user.is_verified():
        return redirect(_next(request))
    if not two_factor.has_app(user=request.user):
        return _with_next("two_factor_enrol", request)
    form = CodeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        two_factor.verified(request=request, device=form.device)
        return redirect(_next(request))
    return render(
        request, "registration/two_factor_verify.html", {"form": form, "next": _next(request)}
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    if two_factor.has_app(user=request.user) and not request.user.is_verified():
        return _with_next("two_factor_verify", request)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.app_enrol(
            request=request, user=request.user, code=form.cleaned_data["code"]
        )
        if codes is not None:
            return render(
                request,
                "registration/two_factor_enrolled.html",
                {"backup_codes": codes, "next": _next(request)},
            )
        form.wrong_code()
    key = two_factor.enrol_key(request=request)
    return render(
        request,
        "registration/two_factor_enrol.html",
        {
            "form": form,
            "next": _next(request),
            "enrolled": two_factor.has_app(user=request.user),
            "qr_code": two_factor.qr_code_svg(user=request.user, key=key),
            "secret": two_factor.secret_text(key),
        },
    )


class PasswordResetView(auth_views.PasswordResetView):
    def form_valid(self, form) -> HttpResponse:
        email = form.cleaned_data["email"]
        if password_reset_throttled(request=self.request, email=email):
            return render(self.request, "registration/password_reset_throttled.html", status=429)
        password_resets_queue(email=email, language=translation.get_language())
        return HttpResponseRedirect(self.get_success_url())
