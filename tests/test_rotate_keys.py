"""Personal data has two keys (encryption and blind index), and `fengqiao rotate_keys` moves every
encrypted column and blind index to new ones: in batches, each all or nothing, resumable — after
which every phone still reads back and is still found by its number."""

import io

import pytest
from cryptography.exceptions import InvalidTag
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.db import connection

from fengqiao.audit.models import AuditEntry
from fengqiao.events import actions
from fengqiao.events.models import Party
from fengqiao.lib.protect import blind_index, data_key, decrypt, encrypt
from fengqiao.people.models import Person
from tests.factories import build_world, register

OLD, NEW = "old-data-key-0123456789abcdef", "new-data-key-fedcba9876543210"
OLD_INDEX, NEW_INDEX = "old-index-key-0123456789", "new-index-key-9876543210"
PHONE, ID_NUMBER = "13912345678", "350322199001011234"

pytestmark = pytest.mark.django_db


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cur:
        cur.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cur.fetchone()[0]


@pytest.fixture
def under_old_keys(settings, monkeypatch):
    """A county whose data was written under the old keys; the settings now name the new ones."""
    settings.FENGQIAO_DATA_KEY, settings.FENGQIAO_BLIND_INDEX_KEY = OLD, OLD_INDEX
    world = build_world()
    event = register(world, parties=[actions.PartyInput(name="柯某", phone=PHONE, id_number=ID_NUMBER,
                                                        is_reporter=True)])
    settings.FENGQIAO_DATA_KEY, settings.FENGQIAO_BLIND_INDEX_KEY = NEW, NEW_INDEX
    monkeypatch.setenv("FENGQIAO_DATA_KEY_OLD", OLD)
    return world, event


def rotate(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("rotate_keys", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_after_rotation_phones_read_back_and_a_party_is_found_by_phone(under_old_keys):
    world, event = under_old_keys
    party_pk = event.parties.values_list("pk", flat=True).get()
    before = raw("events_party", "phone", party_pk)
    with pytest.raises(InvalidTag):  # the new key cannot read the old data yet
        Party.objects.get(pk=party_pk)

    out, err = rotate("--batch", "3")

    party = Party.objects.get(phone_index=blind_index(PHONE))
    assert party.pk == party_pk and party.phone == PHONE and party.id_number == ID_NUMBER
    assert Person.objects.get(phone_index=blind_index("13900000005")) == world.secretary_a
    after = raw("events_party", "phone", party_pk)
    assert after != before and decrypt(after, key=data_key(NEW)) == PHONE
    with pytest.raises(InvalidTag):
        decrypt(after, key=data_key(OLD))
    assert "rows" in err and "values re-encrypted" in out
    assert AuditEntry.objects.filter(stream="keys", action="rotate_keys").count() == 1


def test_running_again_changes_nothing(under_old_keys):
    rotate()
    out, _err = rotate("--no-progress")
    assert "0 values re-encrypted, 0 blind indexes recomputed" in out


def test_a_batch_is_all_or_nothing_and_the_run_resumes(under_old_keys):
    world, _event = under_old_keys
    people = list(Person.objects.order_by("id").values_list("id", flat=True))
    bad = people[4]  # the first row of the third batch of two
    foreign = encrypt("13900000099", key=data_key("a-key-nobody-has"))
    with connection.cursor() as cur:
        cur.execute("UPDATE people_person SET phone = %s WHERE id = %s", [foreign, bad])

    with pytest.raises(CommandError, match=f"people_person.phone of row id={bad}"):
        rotate("--batch", "2")
    # The batches before it are done; the failing batch's other row was not touched.
    assert decrypt(raw("people_person", "phone", people[3]), key=data_key(NEW)) == "13900000004"
    assert decrypt(raw("people_person", "phone", people[5]), key=data_key(OLD)) == "13900000006"

    with connection.cursor() as cur:
        cur.execute("UPDATE people_person SET phone = %s WHERE id = %s",
                    [encrypt("13900000005", key=data_key(OLD)), bad])
    rotate("--batch", "2")
    assert [p.phone for p in Person.objects.filter(id__in=people[3:6]).order_by("id")] == [
        "13900000004", "13900000005", "13900000006"]


def test_reads_fall_back_to_the_old_key_while_the_rotation_runs(under_old_keys, settings):
    _world, event = under_old_keys
    settings.FENGQIAO_DATA_KEY_OLD = OLD
    assert Party.objects.get(pk=event.parties.values_list("pk", flat=True).get()).phone == PHONE


def test_the_old_key_must_be_named(under_old_keys, monkeypatch):
    monkeypatch.delenv("FENGQIAO_DATA_KEY_OLD")
    with pytest.raises(CommandError, match="FENGQIAO_DATA_KEY_OLD is not set"):
        rotate()


def test_the_two_keys_are_different_keys_even_when_derived(settings):
    settings.FENGQIAO_DATA_KEY, settings.FENGQIAO_BLIND_INDEX_KEY = "", ""
    from fengqiao.lib.protect import index_key

    assert data_key() != index_key()


def test_production_needs_both_keys_set_and_different(settings):
    settings.ALLOWED_HOSTS = ["fengqiao.xianyou.gov.cn"]
    settings.FENGQIAO_DATA_KEY, settings.FENGQIAO_BLIND_INDEX_KEY = NEW, ""
    assert "fengqiao.E005" in {e.id for e in run_checks()}
    settings.FENGQIAO_BLIND_INDEX_KEY = NEW
    assert "fengqiao.E004" in {e.id for e in run_checks()}
    settings.FENGQIAO_BLIND_INDEX_KEY = NEW_INDEX
    assert not {"fengqiao.E004", "fengqiao.E005"} & {e.id for e in run_checks()}
