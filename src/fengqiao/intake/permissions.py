"""Who may register at the desk (一窗受理): anyone holding a post (a superuser too). The page
`/events/new/` and `POST /api/v1/events` both ask here first (403 otherwise); which region a
holder may file under is scope (`visible_regions`), checked after."""

from __future__ import annotations

from django.utils.translation import gettext as _

from fengqiao.lib.errors import NotPermitted
from fengqiao.people.queries import posts_of, sees_everything


def may_register(user) -> bool:
    return sees_everything(user) or bool(posts_of(user))


def require_register(user) -> None:
    if not may_register(user):
        raise NotPermitted(_("Registering events needs a post in a region. Ask the administrator to give you one."))
