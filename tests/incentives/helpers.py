from __future__ import annotations

from fengqiao.incentives import actions
from fengqiao.incentives.models import Rule


def rule(code: str) -> Rule:
    return Rule.objects.get(code=code)


def earn(gw, household, code="mediation", times=1, who="worker_a"):
    return actions.points_apply(actor=gw.user(who), household=household, rule=rule(code), reason="调解邻里纠纷",
                                times=times)


def shop_with(gw, *, points=10, stock=3, value="25.00"):
    shop = actions.shop_create(actor=gw.base.admin.user, region=gw.base.village_a, name="洋坂村积分兑换超市")
    item = actions.item_save(actor=gw.base.admin.user, shop=shop, item=None, name="食用油", points=points, value=value,
                             add_stock=stock)
    return shop, item
