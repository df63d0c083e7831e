"""Who may import spreadsheets, and into which county. Operators and administrators import
into the county of their post; a superuser without such a post imports anywhere. Pages, the
API, the `import_events` command and the nav all ask here; anyone else gets 403."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from fengqiao.imports.models import ImportRun
from fengqiao.lib.errors import NotPermitted
from fengqiao.people.models import Role
from fengqiao.people.queries import posts_of, sees_everything
from fengqiao.regions.models import Region

IMPORTERS = {Role.OPERATOR, Role.ADMIN}


def importer_county(user) -> Region | None:
    """The county a user imports into: the county of their first operator or admin post (events
    are filed there and addresses matched inside it). A superuser without such a post imports
    with no restriction (None). Anyone else: NotPermitted (403)."""
    for post in posts_of(user):
        if post.role in IMPORTERS:
            region = post.region
            if region.county_id and region.county_id != region.pk:
                return Region.objects.get(pk=region.county_id)
            return region
    if sees_everything(user):
        return None
    raise NotPermitted(_("Only operators and administrators import events from spreadsheets."))


def may_import(user) -> bool:
    try:
        importer_county(user)
    except NotPermitted:
        return False
    return True


def import_runs_for(user) -> QuerySet[ImportRun]:
    """The runs a user may see: their county's (a superuser: all); NotPermitted for anyone who
    may not import."""
    if sees_everything(user) and not any(p.role in IMPORTERS for p in posts_of(user)):
        return ImportRun.objects.all()
    county = importer_county(user)
    return ImportRun.objects.filter(within=county)


def access_run_for_user(user, run_id: int) -> ImportRun:
    """One run the user may see; 403 for a role that may not import, 404 for another county's."""
    from django.http import Http404

    try:
        return import_runs_for(user).select_related("within", "created_by").get(pk=run_id)
    except ImportRun.DoesNotExist:
        raise Http404("no such import") from None
