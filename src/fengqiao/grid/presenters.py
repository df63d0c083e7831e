"""The registries as a person is shown them: personal data unmasked only for those whose work
needs it (`permissions.may_see_personal_data`), masked otherwise (138****1234), and every
unmasked read written to `PersonalDataRead` — one row per household, firm or room shown."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fengqiao.grid.models import Firm, Household, PersonalDataRead, RentedRoom
from fengqiao.grid.permissions import may_see_personal_data
from fengqiao.lib import clock


def _log(user, via: str, *, households=(), firms=(), rooms=()) -> None:
    now = clock.now()
    uid = user.pk if getattr(user, "pk", None) else None
    PersonalDataRead.objects.bulk_create(
        [PersonalDataRead(user_id=uid, household=h, via=via, created_at=now) for h in households]
        + [PersonalDataRead(user_id=uid, firm=f, via=via, created_at=now) for f in firms]
        + [PersonalDataRead(user_id=uid, room=r, via=via, created_at=now) for r in rooms])


def household_rows(user, households: Iterable[Household], *, via: str, members: bool = False) -> list[dict[str, Any]]:
    out, unmasked = [], []
    for h in households:
        clear = may_see_personal_data(user, h.region)
        row: dict[str, Any] = {
            "id": h.pk, "code": h.code, "region": h.region.code, "region_name": h.region.display_name,
            "head_name": h.head_name if clear else h.masked_head_name,
            "phone": h.phone if clear else h.masked_phone,
            "address": h.address, "members_count": h.members_count,
            "elderly_alone": h.elderly_alone, "disabled": h.disabled,
            "left_behind_children": h.left_behind_children, "care": h.care_flags,
            "active": h.active, "masked": not clear,
        }
        if members:
            row["members"] = [{
                "id": m.pk, "name": m.name if clear else m.masked_name, "relation": m.relation,
                "id_number": m.id_number if clear else m.masked_id_number,
                "phone": m.phone if clear else m.masked_phone, "birth_year": m.birth_year,
            } for m in h.members.all()]
        if clear and (h.phone or h.head_name):
            unmasked.append(h)
        out.append(row)
    if unmasked:
        _log(user, via, households=unmasked)
    return out


def firm_rows(user, firms: Iterable[Firm], *, via: str) -> list[dict[str, Any]]:
    out, unmasked = [], []
    for f in firms:
        clear = may_see_personal_data(user, f.region)
        out.append({
            "id": f.pk, "code": f.code, "name": f.name, "kind": f.kind, "kind_label": f.get_kind_display(),
            "size": f.size, "size_label": f.get_size_display(), "employees": f.employees,
            "migrant_workers": f.migrant_workers, "contact_name": f.contact_name,
            "phone": f.phone if clear else f.masked_phone, "address": f.address,
            "region": f.region.code, "region_name": f.region.display_name, "active": f.active, "masked": not clear,
        })
        if clear and f.phone:
            unmasked.append(f)
    if unmasked:
        _log(user, via, firms=unmasked)
    return out


def room_rows(user, rooms: Iterable[RentedRoom], *, via: str) -> list[dict[str, Any]]:
    out, unmasked = [], []
    for r in rooms:
        clear = may_see_personal_data(user, r.region)
        out.append({
            "id": r.pk, "code": r.code, "address": r.address,
            "landlord_name": r.landlord_name if clear else r.masked_landlord,
            "phone": r.phone if clear else r.masked_phone, "rooms": r.rooms, "tenants": r.tenants,
            "household": r.household.code if r.household_id and r.household else None,
            "region": r.region.code, "region_name": r.region.display_name, "active": r.active, "masked": not clear,
        })
        if clear:
            unmasked.append(r)
    if unmasked:
        _log(user, via, rooms=unmasked)
    return out
