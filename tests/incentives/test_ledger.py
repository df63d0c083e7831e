"""The points ledger and the shop: balances from the entries (the cache checked), never a
negative balance, never redeemed twice, stock never below zero."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from fengqiao.audit.models import AuditEntry
from fengqiao.incentives import actions, queries
from fengqiao.incentives.models import Account, Entry, Redemption, ShopItem
from fengqiao.lib.errors import Conflict, NotPermitted
from tests.incentives.helpers import earn, rule, shop_with


def test_the_fourteen_measures_ship_as_rules(gw):
    from fengqiao.incentives.models import Rule

    assert Rule.objects.count() == 14
    assert Rule.objects.filter(points__lt=0).count() == 3


def test_earning_and_deducting_write_entries_and_the_balance_reconciles(gw):
    household = gw.households[0]
    earn(gw, household, times=2)  # +10
    earn(gw, household, code="patrol")  # +2
    actions.points_apply(actor=gw.user("worker_a"), household=household, rule=rule("burning"), reason="焚烧秸秆")
    account = Account.objects.get(household=household)
    assert [e.amount for e in account.entries.order_by("id")] == [10, 2, -3]
    assert account.balance == queries.balance_of(household) == 9
    assert queries.reconcile() == [] and queries.running_balance_ok(account)
    assert AuditEntry.objects.filter(stream=f"points:{account.pk}").count() == 3


def test_a_deduction_below_zero_is_refused_and_writes_nothing(gw):
    household = gw.households[0]
    earn(gw, household, code="patrol")  # 2
    with pytest.raises(Conflict):
        actions.points_apply(actor=gw.user("worker_a"), household=household, rule=rule("illegal_building"),
                             reason="违章搭建")
    assert queries.balance_of(household) == 2 and Entry.objects.count() == 1


def test_a_tampered_cache_is_found_by_reconciliation(gw):
    household = gw.households[0]
    earn(gw, household)
    Account.objects.filter(household=household).update(balance=500)
    (mismatch,) = queries.reconcile()
    assert (mismatch.cached, mismatch.summed) == (500, 5)


def test_the_database_refuses_a_negative_balance_or_stock_even_round_the_actions(gw):
    household = gw.households[0]
    earn(gw, household)
    _shop, item = shop_with(gw)
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(household=household).update(balance=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ShopItem.objects.filter(pk=item.pk).update(stock=-1)


def test_only_the_grid_and_the_village_give_points(gw):
    with pytest.raises(NotPermitted):
        earn(gw, gw.households[0], who="worker_b")


def test_a_redemption_spends_points_takes_stock_and_is_recorded_once(gw):
    household = gw.households[0]
    earn(gw, household, times=5)  # 25
    _shop, item = shop_with(gw, points=10, stock=3)
    key = uuid.uuid4()
    first = actions.redeem(actor=gw.user("secretary_a"), item=item, household=household, quantity=2, request_uuid=key)
    again = actions.redeem(actor=gw.user("secretary_a"), item=item, household=household, quantity=2, request_uuid=key)
    assert first.created and not again.created and again.redemption.pk == first.redemption.pk
    item.refresh_from_db()
    assert item.stock == 1 and queries.balance_of(household) == 5 and Redemption.objects.count() == 1
    assert first.redemption.value == Decimal("50.00")
    assert queries.reconcile() == []


def test_not_enough_points_or_stock_is_refused(gw):
    household = gw.households[0]
    earn(gw, household)  # 5
    _shop, item = shop_with(gw, points=10, stock=1)
    with pytest.raises(Conflict) as short:
        actions.redeem(actor=gw.user("secretary_a"), item=item, household=household, quantity=1, request_uuid=uuid.uuid4())
    assert short.value.code == "insufficient_points"
    earn(gw, household, times=10)  # 55
    with pytest.raises(Conflict) as empty:
        actions.redeem(actor=gw.user("secretary_a"), item=item, household=household, quantity=2, request_uuid=uuid.uuid4())
    assert empty.value.code == "out_of_stock"
    assert not Redemption.objects.exists() and queries.balance_of(household) == 55


def test_a_request_id_reused_for_another_exchange_is_a_conflict(gw):
    household = gw.households[0]
    earn(gw, household, times=5)
    _shop, item = shop_with(gw)
    key = uuid.uuid4()
    actions.redeem(actor=gw.user("secretary_a"), item=item, household=household, quantity=1, request_uuid=key)
    with pytest.raises(Conflict):
        actions.redeem(actor=gw.user("secretary_a"), item=item, household=gw.households[1], quantity=1, request_uuid=key)


def test_a_shop_serves_its_own_village_only(gw):
    earn(gw, gw.household_b, who="worker_b", times=5)
    _shop, item = shop_with(gw)
    from fengqiao.lib.errors import InvalidInput

    with pytest.raises(InvalidInput):
        actions.redeem(actor=gw.base.admin.user, item=item, household=gw.household_b, quantity=1, request_uuid=uuid.uuid4())


# ------------------------------------------------------------------ concurrency (PostgreSQL)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_redemptions_never_overdraw_never_double_spend_never_oversell(settings, tmp_path):
    import threading

    from django.db import connection as thread_connection

    from tests.grid.world import build_grid_world

    settings.MEDIA_ROOT = str(tmp_path / "media")
    gw = build_grid_world()
    assert connection.vendor == "postgresql"
    household, other = gw.households[0], gw.households[1]
    earn(gw, household, times=6)  # 30 points: three items of 10
    earn(gw, other, times=20)  # 100 points
    _shop, item = shop_with(gw, points=10, stock=5)
    secretary = gw.user("secretary_a")
    repeated = uuid.uuid4()
    jobs = [(household, uuid.uuid4()) for _ in range(8)]  # 8 tries on 30 points: 3 succeed
    jobs += [(other, repeated)] * 6  # one request sent six times at once: one exchange
    jobs += [(other, uuid.uuid4()) for _ in range(6)]  # stock left for 1 or 2 of these
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(h, key):
        try:
            barrier.wait(timeout=20)
            done = actions.redeem(actor=secretary, item=item, household=h, quantity=1, request_uuid=key)
            result = "created" if done.created else "repeat"
        except Conflict as exc:
            result = exc.code
        finally:
            thread_connection.close()
        with lock:
            outcomes.append(result)

    def run(batch):
        nonlocal barrier
        barrier = threading.Barrier(len(batch))
        threads = [threading.Thread(target=worker, args=job) for job in batch]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)

    run(jobs)
    item.refresh_from_db()
    made = Redemption.objects.count()
    assert outcomes.count("created") == made == 5  # the stock, all of it, never more
    assert item.stock == 0
    assert Redemption.objects.filter(request_uuid=repeated).count() <= 1  # it may have lost the stock, never twice
    assert queries.balance_of(household) >= 0 and queries.balance_of(other) >= 0
    assert Redemption.objects.filter(account__household=household).count() <= 3
    assert queries.reconcile() == []
    for account in Account.objects.all():
        assert queries.running_balance_ok(account)
    assert set(outcomes) <= {"created", "repeat", "insufficient_points", "out_of_stock"}

    # Stock again: one request sent six times at once makes one exchange; five answer with it.
    actions.item_save(actor=gw.base.admin.user, shop=item.shop, item=item, name=item.name, points=item.points,
                      value=item.value, add_stock=10)
    outcomes.clear()
    again = uuid.uuid4()
    run([(other, again)] * 6)
    assert sorted(outcomes) == ["created"] + ["repeat"] * 5
    assert Redemption.objects.filter(request_uuid=again).count() == 1
    item.refresh_from_db()
    assert item.stock == 9 and queries.reconcile() == []
