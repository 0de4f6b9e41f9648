"""Response headers that every page carries, next to django-csp's Content-Security-Policy.

`security_headers` sits right after `csp.middleware.CSPMiddleware` in `MIDDLEWARE`, so it
sees the response first: it asks for the request's nonce on every HTML page (django-csp
names a nonce in the policy only once something has asked for it), so each page's policy
carries a fresh one that its templates may give an inline script (`nonce="{{ CSP_NONCE }}"`),
and it sends the setting `PERMISSIONS_POLICY` as that header on every response.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase


def security_headers(
    get_response: Callable[[HttpRequest], HttpResponseBase],
) -> Callable[[HttpRequest], HttpResponseBase]:
    def middleware(request: HttpRequest) -> HttpResponseBase:
        response = get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            str(request.csp_nonce)  # the policy that CSPMiddleware writes next names it
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response

    return middleware
