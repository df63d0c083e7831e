"""Past events to learn from, and channel rewrites of one matter, built through real actions."""

from __future__ import annotations

import random

from fengqiao.demo import texts
from fengqiao.events import actions
from fengqiao.events.models import Category, Event
from tests.factories import World

CODES = ("dispute.wages", "hazard.fire", "livelihood.infrastructure", "city.sanitation")


def past_events(world: World, *, per_category: int = 12, seed: int = 7) -> list[Event]:
    """Events registered the demo's way (its own text templates), in four categories."""
    rng = random.Random(seed)
    made = []
    for code in CODES:
        category = Category.objects.get(code=code)
        for _i in range(per_category):
            title_t, desc_t = rng.choice(texts.CONTENT[code]["items"])
            values = {"p": rng.choice(["柯明", "林芳", "陈建国", "黄丽"]), "q": "郑伟", "v": "洋坂村",
                      "g": f"{rng.randint(1, 9)}组"}
            made.append(actions.event_register(
                actor=world.operator.user, title=texts.fill(title_t, rng, values)[:200],
                description=texts.fill(desc_t, rng, values), category=category, source="grid",
                region=world.village_a,
            ))
    return made


def reporter(phone: str, name: str = "柯明") -> list[actions.PartyInput]:
    return [actions.PartyInput(name=name, phone=phone, is_reporter=True)]
