"""`elided_pages`: the page numbers a list's pagination shows (`templates/_pagination.html`)."""

from collections.abc import Iterator

from django import template
from django.core.paginator import Paginator

register = template.Library()


@register.filter
def elided_pages(paginator: Paginator, number: int) -> Iterator[int | str]:
    """The first and last page, two either side of `number`, `…` for the gaps."""
    return paginator.get_elided_page_range(number, on_each_side=2, on_ends=1)
