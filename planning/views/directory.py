"""The organisation directory, the pickers of the itinerary builder and a new venue.

The directory is open to every signed-in user with a membership (and to superusers);
anyone else signed in gets 404, anonymous users go to the login page.
"""

import re
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import reswap, retarget

from missions.selectors import missions_of_organisation
from organisations import selectors, services
from organisations.models import Venue
from planning.forms.directory import DirectorySearchForm, PickerQueryForm, VenueForm
from planning.services.personal_data import person_export_json

PAGE_SIZE = 25
ELEMENT_ID = re.compile(r"[A-Za-z][\w-]{0,99}")


def directory_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Login required; signed-in users without a membership get 404."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not selectors.can_use_directory(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@directory_view
def organisation_list(request: HttpRequest) -> HttpResponse:
    form = DirectorySearchForm(request.GET)
    filters = form.filters()
    page = Paginator(selectors.organisation_search(**filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "organisations/organisation_list.html",
        {"form": form, "page": page, "filtered": bool(filters)},
    )


@require_GET
@directory_view
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_detail(pk)
    missions = missions_of_organisation(organisation=organisation, user=request.user)
    # Planners of the organisation may export what is held about each of its people.
    can_export = selectors.people_in_care_of(request.user).filter(organisation=organisation)
    # A council has hundreds of people: they come a page at a time, as the directory does.
    people = Paginator(organisation.people.order_by("full_name", "pk"), PAGE_SIZE)
    return render(
        request,
        "organisations/organisation_detail.html",
        {
            "organisation": organisation,
            "people": people.get_page(request.GET.get("page")),
            "missions": missions,
            "contact_details": selectors.can_see_contact_details(request.user, organisation),
            "can_export": can_export.exists(),
            "can_add_venue": selectors.can_add_to_directory(request.user),
        },
    )


@require_GET
@directory_view
def person_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything held about one person, as JSON (a data subject's access request), for
    planners of the person's organisation; the download is an entry of the audit log."""
    person = selectors.person_in_care_of(request.user, pk)
    return HttpResponse(
        person_export_json(person=person),
        content_type="application/json; charset=utf-8",
        headers={
            "Content-Disposition": content_disposition_header(
                as_attachment=True, filename=f"personal-data-{person.pk}.json"
            ),
            "Cache-Control": "private, no-store",
        },
    )


def _options(request: HttpRequest, choose: Callable[..., list]) -> HttpResponse:
    form = PickerQueryForm(request.GET)
    query = form.query()
    return render(
        request,
        "organisations/_options.html",
        {
            "options": choose(**query),
            "selected": query["selected"],
            "multiple": bool(form.cleaned_data.get("selected_in")),
        },
    )


@require_GET
@directory_view
def venue_options(request: HttpRequest) -> HttpResponse:
    return _options(request, selectors.venue_options)


@require_GET
@directory_view
def organisation_options(request: HttpRequest) -> HttpResponse:
    return _options(request, selectors.organisation_options)


def _safe_next(request: HttpRequest) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if safe else ""


def _pk(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


def _select_id(request: HttpRequest) -> str:
    """The id of the <select> that receives the new venue (htmx), if a valid one is given."""
    value = request.POST.get("target") or request.GET.get("target") or ""
    return value if ELEMENT_ID.fullmatch(value) else ""


@require_http_methods(["GET", "POST"])
@directory_view
def venue_create(request: HttpRequest) -> HttpResponse:
    """A new venue: an <option> for the picker's select (htmx), or back to `next`.

    Planners only: a viewer of an organisation reads the directory, never adds to it.
    """
    if not selectors.can_add_to_directory(request.user):
        raise Http404
    # A target only makes sense inside a page that has that select, i.e. for htmx.
    context = {"target": _select_id(request) if request.htmx else "", "next": _safe_next(request)}
    if request.method == "GET":
        form = VenueForm(prefix="venue", initial={"organisation": _pk(request, "organisation")})
    else:
        form = VenueForm(request.POST, prefix="venue")
        if form.is_valid():
            try:
                venue = services.venue_create(**form.cleaned_data, user=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return _venue_created(request, venue, next_url=context["next"])
    context["form"] = form
    if not request.htmx:
        return render(request, "organisations/venue_create.html", context)
    response = render(request, "organisations/_venue_form.html", context)
    if request.method == "POST":
        # The form's own target is the picker's select: put the errors back in the form.
        response = reswap(retarget(response, "#venue-create"), "outerHTML")
    return response


def _venue_created(request: HttpRequest, venue: Venue, *, next_url: str) -> HttpResponse:
    if request.htmx:
        response = render(request, "organisations/_venue_option.html", {"venue": venue})
        response["HX-Trigger"] = "venueCreated"
        return response
    messages.success(request, _("Venue “%(venue)s” added.") % {"venue": venue})
    if next_url:
        return redirect(next_url)
    if venue.organisation_id:
        return redirect("directory:organisation-detail", venue.organisation_id)
    return redirect("directory:organisation-list")
