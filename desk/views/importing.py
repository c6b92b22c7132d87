from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sections.policy import is_admin
from talk.importing.service import ImportRefused, import_series, issue_import

from ..forms.importing import ImportForm


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request):
    """Admins import an issue from its text, as `manage.py import_issue` does."""
    if not is_admin(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issue = issue_import(
                series=import_series(data["series"]),
                text=data["text"],
                by=request.user,
                replace=data["replace"],
            )
        except ImportRefused as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Imported %(title)s as a draft.") % {"title": issue.title})
            return redirect(issue.get_absolute_url())
    status = 422 if form.errors else 200
    return render(request, "talk/import.html", {"form": form}, status=status)
