"""A user who must sign in with a second factor opens nothing but the sign-in's own pages
before giving it: the workspace, the admin and every other page send them to give their
code (or to enrol an authenticator app first), then back where they were going.

Whether a session must is noted when the user signs in (planning/services/two_factor.py);
a session from before (none noted) is decided on its first request.
"""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse

from planning.services import two_factor

# The pages open before the second factor: signing in and out, the password reset, the
# second factor's own pages, the language, the health check, and the pages under
# personal links (namespaces `rsvp`, `delegate`), which know no staff user.
OPEN_URL_NAMES = {
    "home",  # sends the signed-in on to the workspace, where the check is
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "two_factor_verify",
    "two_factor_enrol",
    "set_language",
    "healthz",
}
OPEN_NAMESPACES = {"rsvp", "delegate"}


def _open(request: HttpRequest) -> bool:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return match.url_name in OPEN_URL_NAMES or match.namespace in OPEN_NAMESPACES


class TwoFactorMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _open(request) or not request.user.is_authenticated:
            return self.get_response(request)
        needed = request.session.get(two_factor.NEEDED_SESSION_KEY)
        if needed is None:
            needed = two_factor.two_factor_needed(user=request.user)
            request.session[two_factor.NEEDED_SESSION_KEY] = needed
        if needed and not request.user.is_verified():
            page = (
                "two_factor_verify" if two_factor.has_app(user=request.user) else "two_factor_enrol"
            )
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse(page)}?{query}")
        return self.get_response(request)
