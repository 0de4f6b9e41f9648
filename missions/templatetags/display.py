"""missions.display for templates: `{% load display %}`, then `{{ day|long_date }}`,
`{{ moment|moment_here }}` or `{{ moment|moment_here:"long" }}`, `{{ item|item_period }}`,
`{{ user|user_name }}`, `{{ participant|language_described }}`.

Dates in templates take Django's named formats (`DATE_FORMAT`, `SHORT_DATE_FORMAT`, from
config/formats/<language>/) or these filters, never a pattern of their own: a German date
is `4. Dezember 2026`, with the dot that an English pattern leaves out.
"""

import datetime as dt

from django import template

from missions import display, languages

register = template.Library()


@register.filter
def long_date(day: dt.date | None) -> str:
    return display.long_date(day) if day else ""


@register.filter
def moment_here(moment: dt.datetime | None, length: str = "") -> str:
    return display.moment_here(moment, long=length == "long") if moment else ""


@register.filter
def item_period(item) -> str:
    return display.item_period(item) if item else ""


@register.filter
def user_name(user) -> str:
    return display.user_name(user) if user else ""


@register.filter
def language_names(codes) -> str:
    return display.language_names(codes) if codes else ""


@register.filter
def language_described(participant) -> str:
    return languages.language_described(participant)
