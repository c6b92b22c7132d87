"""Search across a series' issues."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from search import selectors
from talk.models import Series

from ..forms.search import SearchForm


def _series(slug: str) -> Series:
    series = (
        Series.objects.filter(slug=slug).first() if slug else Series.objects.order_by("pk").first()
    )
    if series is None:
        raise Http404
    return series


@require_safe
def search(request):
    form = SearchForm(request.GET or None)
    results = None
    status = 200
    if form.is_bound and form.is_valid() and form.cleaned_data["q"]:
        series = _series(form.cleaned_data["series"])
        order = form.cleaned_data["order"] or "newest"
        results = selectors.search(
            series=series,
            viewer=request.user,
            text=form.cleaned_data["q"],
            order=order,
            filters=form.filters(),
        )
    elif form.is_bound and form.errors:
        status = 422
    context = {"form": form, "results": results}
    return render(request, "search/results.html", context, status=status)
