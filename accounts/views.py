"""The signed-in user's profile: the account's e-mail and password, a partner's API tokens,
and how the person receives each kind of message."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import notifications, services
from .enums import NotificationChoice
from .forms import ApiTokenForm, EmailChangeForm, NotificationSettingsForm
from .models import ApiToken
from .rules import is_partner


def _profile(request, *, token_form=None, email_form=None, secret=None, status=200):
    user = request.user
    partner = is_partner(user)
    response = render(
        request,
        "accounts/profile.html",
        {
            "is_partner_member": partner,
            "tokens": services.api_tokens_of(user) if partner else [],
            "token_form": token_form or (ApiTokenForm() if partner else None),
            "email_form": email_form or EmailChangeForm(user),
            "new_secret": secret,
        },
        status=status,
    )
    return response


@never_cache
@login_required
def profile(request):
    return _profile(request)


@never_cache
@login_required
@require_POST
def token_create(request):
    if not is_partner(request.user):
        return redirect("profile")
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _profile(request, token_form=form, status=400)
    token, secret = services.api_token_create(
        user=request.user,
        name=form.cleaned_data["name"],
        days=form.cleaned_data["days"],
        request=request,
    )
    # Shown on this answer only (never_cache): the secret is stored nowhere.
    return _profile(request, secret={"token": token, "value": secret})


@login_required
@require_POST
def token_revoke(request, digest):
    token = get_object_or_404(ApiToken, digest=digest, user=request.user)
    services.api_token_revoke(token=token, by=request.user, request=request)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("profile")


@never_cache
@login_required
@require_POST
def email_change(request):
    form = EmailChangeForm(request.user, request.POST)
    if not form.is_valid():
        return _profile(request, email_form=form, status=400)
    services.account_email_change(user=request.user, email=form.cleaned_data["email"])
    messages.success(request, _("Your e-mail address is changed."))
    return redirect("profile")


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset by e-mail; the link points at SITE_URL, never at the Host header."""

    subject_template_name = "registration/password_reset_subject.txt"
    email_template_name = "registration/password_reset_email.txt"

    def form_valid(self, form):
        site = urlsplit(settings.SITE_URL)
        self.extra_email_context = {"domain": site.netloc, "protocol": site.scheme}
        return super().form_valid(form)


def lockout(request, original_response=None, credentials=None):
    """What django-axes answers a locked-out log-in: how many failures and for how long."""
    return render(
        request,
        "registration/lockout.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
        status=429,
    )


@login_required
def notification_settings(request):
    """How the signed-in person receives each kind of message: at once, daily, or not."""
    preferences = notifications.preferences_of(request.user)
    if request.method == "POST":
        form = NotificationSettingsForm(request.POST, preferences=preferences)
        if form.is_valid():
            notifications.preferences_set(user=request.user, choices=form.cleaned_data)
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notification_settings")
        status = 400
    else:
        form, status = NotificationSettingsForm(preferences=preferences), 200
    return render(
        request,
        "accounts/notification_settings.html",
        {"form": form, "choices": NotificationChoice.choices},
        status=status,
    )
