"""How a petition is shown to one user: petitioners masked or not (every unmasked showing
logged), the actions their posts allow now, the clocks. Shared by the pages, the API, the
ledger export and the notices so all of them say the same thing."""

from __future__ import annotations

from typing import Any

from fengqiao.lib import clock
from fengqiao.petitions import permissions as perms
from fengqiao.petitions.machine import MACHINE
from fengqiao.petitions.models import Petition, PetitionerRead


def log_read(user, petition: Petition, *, via: str, petitioner=None) -> None:
    PetitionerRead.objects.create(user=user if getattr(user, "pk", None) else None, petition=petition,
                                  petitioner=petitioner, via=via, created_at=clock.now())


def petitioners_for(user, petition: Petition, *, via: str, clear: bool | None = None) -> list[dict[str, Any]]:
    """The petitioners as this user may see them. Unmasked only for those who handle the
    petition (permissions.may_see_petitioners), and then one PetitionerRead row per showing."""
    people = list(petition.petitioners.all())
    if clear is None:
        clear = perms.may_see_petitioners(user, petition)
    if clear and people:
        log_read(user, petition, via=via)
    rows = []
    for p in people:
        shown = ({"name": p.name, "id_number": p.id_number, "phone": p.phone, "address": p.address}
                 if clear else p.masked())
        rows.append({"id": p.pk, **shown, "is_representative": p.is_representative, "masked": not clear})
    return rows


def available_actions(user, petition: Petition) -> list[str]:
    """What to offer as buttons: legal now (status and guard, `MACHINE.legal_now`) and allowed
    by the user's posts."""
    return [a for a in MACHINE.moves if MACHINE.legal_now(petition, a) and perms.may(user, petition, a)]


def addressee(rows: list[dict[str, Any]], petition: Petition) -> str:
    """The name a notice is addressed to: the representatives (or everyone recorded), and for a
    joint petition 'and N others'."""
    chosen = [r for r in rows if r["is_representative"]] or rows
    names = "、".join(r["name"] for r in chosen[:5]) or "信访人"
    if petition.joint and petition.headcount > len(chosen):
        return f"{names}等{petition.headcount}人"
    return names
