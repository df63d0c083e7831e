"""The sign-in forms: Django's, refusing a locked account or address with the reason."""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from fengqiao.lib.client import client_ip
from fengqiao.lib.errors import Locked
from fengqiao.people import throttle


class LockoutMixin:
    """Say "locked until …" instead of "wrong password" while the account or address is locked —
    before the password is checked, and right after the failure that locked it."""

    def clean(self):
        username = self.cleaned_data.get("username")  # type: ignore[attr-defined]
        try:
            throttle.check(username=username, request=self.request)  # type: ignore[attr-defined]
        except Locked as exc:
            raise forms.ValidationError(exc.message, code="locked") from None
        try:
            return super().clean()  # type: ignore[misc]
        except forms.ValidationError:
            refusal = throttle.lock_of(throttle.keys_for(username=username,
                                                         ip=client_ip(self.request)))  # type: ignore[attr-defined]
            if refusal is not None:
                raise forms.ValidationError(refusal.message, code="locked") from None
            raise


class LockoutAuthenticationForm(LockoutMixin, AuthenticationForm):
    pass


class LockoutAdminAuthenticationForm(LockoutMixin, AdminAuthenticationForm):
    pass
