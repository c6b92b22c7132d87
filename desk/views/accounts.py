import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services
from accounts.models import Invitation, User
from talk.models import Series

from ..forms.accounts import LoginForm, PreferencesForm, SignUpForm, SuspendForm


def _with_language_cookie(response, user):
    if user.language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, user.language, max_age=365 * 24 * 3600, samesite="Lax"
        )
    return response


class FormErrorsAre422:
    """A form sent back with its errors answers 422, as the desk's own forms
    do: the words are on the page, and the status tells scripts and tests
    that nothing was done. Django's class-based views answer 200."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 422
        return response


class LoginView(FormErrorsAre422, auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        return _with_language_cookie(super().form_valid(form), form.get_user())


@require_http_methods(["GET", "POST"])
def sign_up(request, token):
    invitation = Invitation.objects.filter(token=token).first()
    problem = services.invitation_problem(invitation)
    if problem:
        return render(request, "accounts/invitation_invalid.html", {"problem": problem}, status=410)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_sign_up(
                token=token,
                alias=form.cleaned_data["alias"],
                password=form.cleaned_data["password1"],
                email=form.cleaned_data["email"],
            )
        except services.InvitationInvalid as error:
            return render(
                request, "accounts/invitation_invalid.html", {"problem": error.message}, status=410
            )
        except services.AliasTaken as error:
            form.add_error("alias", error.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome, %(alias)s.") % {"alias": user.alias})
            return redirect("home")
    status = 422 if form.is_bound else 200
    context = {"form": form, "invitation": invitation}
    return render(request, "accounts/sign_up.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = services.user_update_preferences(
            user=request.user,
            language=form.cleaned_data["language"],
            time_zone=form.cleaned_data["time_zone"],
            email=form.cleaned_data["email"],
            public_profile=form.cleaned_data["public_profile"],
        )
        messages.success(request, _("Your preferences are saved."))
        response = _with_language_cookie(redirect("accounts:preferences"), user)
        if not user.language:
            # "Automatic" hands the choice back to the browser, which a cookie
            # left by an earlier choice would otherwise keep overriding.
            response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, samesite="Lax")
        return response
    status = 422 if form.is_bound else 200
    # The pages `public_profile` switches, one per series.
    context = {"form": form, "series_list": Series.objects.order_by("name")}
    return render(request, "accounts/preferences.html", context, status=status)


@require_POST
def set_language(request):
    """Switch the language; for a member it is also their saved preference."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = redirect(next_url)
    if check_for_language(language) and language in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            request.user.language = language
            request.user.save(update_fields=["language"])
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax"
        )
    return response


class PasswordChangeView(FormErrorsAre422, auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password-change-done")


class PasswordResetView(FormErrorsAre422, auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-done")


class PasswordResetConfirmView(FormErrorsAre422, auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")


password_change = PasswordChangeView.as_view()
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="accounts/password_change_done.html"
)
password_reset = PasswordResetView.as_view()
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_reset_confirm = PasswordResetConfirmView.as_view()
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)


@login_required
@require_http_methods(["GET", "POST"])
def member_suspend(request, pk):
    """Admins suspend a member (until a day, or for good) or lift it."""
    if not request.user.is_staff:
        raise PermissionDenied(_("Only admins can suspend members."))
    member = get_object_or_404(User, pk=pk)
    form = SuspendForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        try:
            if "reinstate" in request.POST:
                services.member_reinstate(member=member, by=request.user)
                messages.success(request, _("%(alias)s may post again.") % {"alias": member.alias})
                return redirect("accounts:suspend", member.pk)
            if form.is_valid():
                until = form.cleaned_data["until"]
                services.member_suspend(
                    member=member,
                    by=request.user,
                    until=_start_of(until) if until else None,
                    reason=form.cleaned_data["reason"],
                )
                messages.success(request, _("%(alias)s is suspended.") % {"alias": member.alias})
                return redirect("accounts:suspend", member.pk)
        except services.AccountError as error:
            form.add_error(None, error.message)
            status = 400
        member.refresh_from_db()
    return render(request, "accounts/suspend.html", {"member": member, "form": form}, status=status)


def _start_of(day):
    """The first moment of `day` in the admin's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
