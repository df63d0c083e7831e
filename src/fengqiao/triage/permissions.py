"""Who may work the triage queue (分流). The object-level lookup (`access_item_for_user`, 404
outside the user's area) is in `triage.queries`; pages and API both call these checks."""

from __future__ import annotations

from django.utils.translation import gettext as _

from fengqiao.events.permissions import DISPATCHERS
from fengqiao.lib.errors import NotPermitted
from fengqiao.people.models import Post
from fengqiao.people.queries import posts_of, sees_everything


def triage_posts(user) -> list[Post]:
    """The posts that open the queue: those who dispatch (operators, admins, town cadres)."""
    return [p for p in posts_of(user) if p.role in DISPATCHERS]


def may_triage(user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return sees_everything(user) or bool(triage_posts(user))


def require_triage(user) -> None:
    """403 (page and API) for a role the queue is not for."""
    if not may_triage(user):
        raise NotPermitted(_("The triage queue is for operators, administrators and town cadres."))
