"""Admin for departments, people and their posts, and API tokens.

Phones are shown masked in lists; a person is found by phone through the blind index. Tokens
are issued and revoked through `people.actions` (audited); only their digest is ever stored.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from fengqiao.lib.protect import blind_index
from fengqiao.people import throttle
from fengqiao.people.actions import api_token_issue, api_token_revoke
from fengqiao.people.forms import LockoutAdminAuthenticationForm
from fengqiao.people.importer import MOBILE, normalise_phone
from fengqiao.people.models import ApiToken, Department, LoginLock, Person, Post

# The admin's own sign-in is throttled like the login page (people/throttle.py).
admin.site.login_form = LockoutAdminAuthenticationForm


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "region")
    search_fields = ("code", "name")
    raw_id_fields = ("region",)
    list_select_related = ("region",)


class PostInline(admin.TabularInline):
    model = Post
    extra = 1
    fields = ("role", "region", "department", "on_duty", "active")
    raw_id_fields = ("region", "department")


class PersonForm(forms.ModelForm):
    phone = forms.CharField(label=_("phone"), max_length=20, required=False)

    class Meta:
        model = Person
        fields = ("name", "phone", "user", "active")

    def clean_phone(self):
        phone = normalise_phone(self.cleaned_data.get("phone") or "")
        if phone and not MOBILE.match(phone):
            raise forms.ValidationError(_("Enter an 11-digit mobile number."))
        return phone


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    form = PersonForm
    list_display = ("name", "phone_masked", "user", "active", "created_at")
    list_filter = ("active", "posts__role")
    search_fields = ("name", "user__username")
    raw_id_fields = ("user",)
    list_select_related = ("user",)
    inlines = (PostInline,)

    @admin.display(description=_("phone"))
    def phone_masked(self, obj: Person) -> str:
        return obj.masked_phone

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        phone = normalise_phone(search_term or "")
        if MOBILE.match(phone):
            # Phones are encrypted: find them by their keyed digest.
            results |= queryset.filter(phone_index=blind_index(phone))
        return results, may_have_duplicates

    def save_model(self, request, obj: Person, form, change):
        obj.set_phone(form.cleaned_data.get("phone") or "")
        super().save_model(request, obj, form, change)


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("person", "role", "region", "department", "on_duty", "active")
    list_filter = ("role", "on_duty", "active")
    search_fields = ("person__name", "^region__code", "region__name")
    raw_id_fields = ("person", "region", "department")
    list_select_related = ("person", "region", "department")


class ApiTokenAddForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ("user", "name")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("user__username", "name", "prefix")
    raw_id_fields = ("user",)
    list_select_related = ("user",)
    actions = ("revoke",)
    readonly = ("user", "prefix", "digest", "created_at", "last_used_at", "revoked_at")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ("user", "name") if obj is None else ("name", *self.readonly)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the record of who had a token stays

    def save_model(self, request, obj: ApiToken, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        token, raw = api_token_issue(user=form.cleaned_data["user"], name=obj.name, actor=request.user)
        obj.pk = token.pk
        obj.refresh_from_db()
        messages.warning(
            request,
            _("The new token is %(token)s — copy it now, it is not shown again.") % {"token": raw},
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            api_token_revoke(token=token, actor=request.user)
        self.message_user(request, _("%(n)d tokens revoked.") % {"n": queryset.count()})


@admin.register(LoginLock)
class LoginLockAdmin(admin.ModelAdmin):
    """Sign-in locks: who (an account, or an address by its digest) and until when; unlock here."""

    list_display = ("key", "until", "failures", "created_at")
    search_fields = ("key",)
    actions = ("unlock",)
    readonly_fields = ("key", "until", "failures", "created_at")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # unlock instead: audited

    @admin.action(description=_("Unlock the selected accounts and addresses"))
    def unlock(self, request, queryset):
        n = sum(throttle.unlock(key=lock.key, actor=request.user) for lock in queryset)
        self.message_user(request, _("%(n)d locks lifted.") % {"n": n})
