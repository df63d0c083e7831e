"""The demo's petitions (信访): two years of Xianyou's petition office, played through the real
actions (`fengqiao.petitions.actions`) under the frozen platform clock, at the moment each step
happened, in one chronological order across all petitions (so codes and notice numbers run in
order).

- Last year's first-time petitions (初信初访) between 1 January and today's date a year ago: 25 per
  unit of scale; this year's over the same dates: 12 per unit — seed 004's "初次信访数同比下降52%".
  Most were routed, accepted, answered and closed; some late at one step or another (the body
  took longer than 15 days to decide, the 60 days passed, the village missed its week).
- Repeat petitions, joint petitions (联名信 / 集体访) with a headcount, key difficult ones (重点难点),
  petitions linked to the dispute they are also an event of.
- At "now", every limit is running somewhere — to route, to decide, to object, to handle (one
  extended), to ask for and answer a review and a re-review, the village's 7 days, the 14 days —
  and some have passed; a not-accepted petition, an objection sent back and routed again, a
  re-review answered and terminated. The clock scanner then runs once at "now".
- Backlog cases (信访积案) in all four batches of 四个一批, first raised between 1993 and 2021 (a
  few over twenty years old), some re-sorted, about half settled (化解) this year.

Deterministic for (seed, as_of, scale); its random stream is its own.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.utils import timezone

from fengqiao.demo import names, stories
from fengqiao.demo.people import Roster
from fengqiao.demo.places import County
from fengqiao.events.models import Category, Event
from fengqiao.people.models import Person
from fengqiao.petitions import actions
from fengqiao.petitions.actions import PetitionerInput
from fengqiao.petitions.models import Batch, Petition
from fengqiao.regions.models import Region
from fengqiao.workflow import clocks

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)

# (matter category, subject, what the petitioner says, the answer the body gives)
MATTERS: list[tuple[str, str, str, str]] = [
    ("dispute.wages", "反映企业拖欠工资问题", "信访人反映在{town}某鞋服企业务工,企业拖欠其{n}个月工资,多次讨要未果。",
     "经劳动保障监察调查,企业确有拖欠,已责令其于十日内足额支付,并将跟踪落实。"),
    ("dispute.land", "反映山林权属争议问题", "信访人反映{village}与邻村之间的山林界址不清,对方强行砍伐林木。",
     "经调取林权档案并实地勘界,界址以一九八一年林权证为准,已组织双方签订确界协议。"),
    ("dispute.land", "反映征地补偿款分配问题", "信访人反映{village}征地补偿款分配方案未经村民代表大会讨论,外嫁女未分到补偿。",
     "经核查,分配方案程序不规范,已责成村委会重新召开村民代表大会表决,依法保障外嫁女权益。"),
    ("livelihood.social_security", "反映养老保险待遇问题", "信访人反映其养老保险缴费年限认定有误,待遇偏低。",
     "经核对缴费记录,补认缴费年限三年,已重新核定养老金并补发差额。"),
    ("dispute.neighbours", "反映宅基地建房纠纷", "信访人反映邻居建房越过界址,影响其通风采光。",
     "经镇村干部现场测量,邻居建房未越界,已向信访人解释说明并协调调整屋檐排水。"),
    ("city.illegal_building", "反映违章搭建问题", "信访人反映{village}有人在主干道旁违规搭建彩钢瓦棚。",
     "经执法中队核查属实,已下达限期拆除通知书,当事人已自行拆除。"),
    ("environment.water", "反映养殖场污染水源问题", "信访人反映{village}附近养殖场污水直排溪流,影响饮用水安全。",
     "经生态环境部门监测,养殖场排污超标,已责令停产整改并建设污水处理设施。"),
    ("livelihood.infrastructure", "反映村道损毁问题", "信访人反映{village}通往镇区的村道路面破损严重,雨天积水。",
     "已列入年度农村公路修缮计划,先行修补坑洼,年内完成路面硬化。"),
    ("dispute.work_injury", "反映工伤赔偿问题", "信访人反映在企业务工时受伤,经鉴定为十级伤残,企业拒绝赔偿。",
     "经劳动仲裁调解,企业同意一次性支付工伤赔偿款,双方已签订调解协议。"),
    ("livelihood.education", "反映子女入学问题", "信访人反映随迁子女申请就近入学未获安排。",
     "经教育部门核查,已按积分办法安排就近学校就读。"),
]
REFUSALS = ["该事项已进入诉讼程序,依法应当通过诉讼途径解决", "该事项属于劳动仲裁受理范围,请依法申请仲裁"]
BACKLOG_MATTERS = [
    ("dispute.land", "山林权属遗留问题", "信访人因{year}年山林承包权属问题多年信访,诉求反复。"),
    ("livelihood.social_security", "企业改制职工安置遗留问题", "信访人系原县属企业职工,{year}年企业改制后安置问题多年未解决。"),
    ("dispute.land", "老区征地安置遗留问题", "信访人反映{year}年修建公路征地后安置补偿未落实。"),
    ("dispute.other", "历史遗留房屋产权问题", "信访人反映{year}年购买的公房产权证一直未能办理。"),
]


@dataclass
class PetitionsReport:
    petitions: int = 0
    statuses: Counter = field(default_factory=Counter)
    first_time: tuple[int, int] = (0, 0)  # this period, the same period last year
    backlog: Counter = field(default_factory=Counter)  # batch → cases
    backlog_settled: int = 0
    backlog_over_twenty: int = 0
    clocks_running: int = 0
    clocks_overdue: int = 0
    clocks_missed: int = 0
    notices: int = 0
    scan: dict[str, int] = field(default_factory=dict)
    actions: Counter = field(default_factory=Counter)

    def lines(self) -> list[str]:
        current, baseline = self.first_time
        return [
            f"petitions (信访): {self.petitions}  " + ", ".join(f"{s} {n}" for s, n in self.statuses.most_common()),
            f"  first-time this period {current}, the same period last year {baseline}",
            "  backlog cases: " + ", ".join(f"{b} {n}" for b, n in sorted(self.backlog.items()))
            + f"; settled {self.backlog_settled}, over twenty years old {self.backlog_over_twenty}",
            f"  limits: running {self.clocks_running} (past due {self.clocks_overdue}), missed when met "
            f"{self.clocks_missed}; notices issued {self.notices}; scanner {self.scan}",
        ]


@dataclass
class Plan:
    """One petition: how it is registered, then its steps (moment, action, doing)."""

    at: dt.datetime
    region: Region
    kind: str
    form: str
    category: str
    title: str
    content: str
    petitioners: list[PetitionerInput]
    joint: bool = False
    headcount: int = 1
    key_difficult: bool = False
    event: Event | None = None
    received: dt.datetime | None = None
    # Each step a partial of the action, called with `petition=` when its moment comes.
    steps: list[tuple[dt.datetime, str, Callable[..., Any]]] = field(default_factory=list)
    petition: Petition | None = None


class Builder:
    def __init__(self, *, county: County, roster: Roster, as_of: dt.datetime, seed: int, scale: int):
        self.county, self.roster, self.as_of, self.scale = county, roster, as_of, scale
        self.rng = random.Random(f"demo-petitions-{seed}")
        self.today = timezone.localtime(as_of).date()
        self.plans: list[Plan] = []
        self.report = PetitionsReport()
        self.operator = roster.user(roster.duty_operator)
        self.categories = {c.code: c for c in Category.objects.all()}
        # Villages with their town, their secretary and work team: where petitions come from.
        self.villages = [v for v in county.villages if v.id in roster.secretary and v.town_id in roster.town_cadres]
        self.petition_events = list(Event.objects.filter(dispute_source="petition", county=county.county)
                                    .order_by("created_at").only("id", "created_at", "village_id", "county_id"))

    # ------------------------------------------------------------------------- the people

    def cadre(self, region: Region) -> Person:
        assert region.town_id is not None  # a town or a village: both have their town
        return self.roster.town_cadres[region.town_id][0]

    def u(self, person: Person):
        return self.roster.user(person)

    def department_of(self, category: str):
        return self.roster.department_for(category)

    # ------------------------------------------------------------------------ the matters

    def _moment(self, day: dt.date, hour: float | None = None) -> dt.datetime:
        h = hour if hour is not None else self.rng.uniform(8.5, 17.5)
        naive = dt.datetime.combine(day, dt.time()) + dt.timedelta(hours=h)
        return timezone.make_aware(naive.replace(second=0, microsecond=0), timezone.get_current_timezone())

    def _petitioners(self, n: int, village: Region) -> list[PetitionerInput]:
        out = []
        for i in range(n):
            out.append(PetitionerInput(
                name=names.person_name(self.rng), id_number=names.id_number(self.rng, today=self.today),
                phone=names.mobile(self.rng), is_representative=i < 3,
                address=f"仙游县{village.town.display_name if village.town else ''}{village.display_name}"
                        f"{self.rng.randint(1, 12)}组{self.rng.randint(1, 60)}号",
            ))
        return out

    def plan(self, when: dt.datetime, *, kind: str = "first", village: Region | None = None,
             at_town: bool = False, joint: bool = False, key_difficult: bool = False,
             matter: tuple[str, str, str, str] | None = None) -> Plan:
        village = village or self.rng.choice(self.villages)
        category, title, content, _answer = matter or self.rng.choice(MATTERS)
        town = village.town
        text = content.format(town=town.display_name if town else "", village=village.display_name,
                              n=self.rng.randint(2, 6))
        headcount = self.rng.randint(5, 40) if joint else 1
        people = self._petitioners(min(3, headcount) if joint else 1, village)
        event = None
        if not joint and self.petition_events and self.rng.random() < 0.15:
            candidates = [e for e in self.petition_events if e.created_at < when and e.village_id == village.id]
            event = candidates[-1] if candidates else None
        p = Plan(at=when, region=town if at_town and town else village, kind=kind,
                 form=self.rng.choices(["visit", "letter", "phone", "online"], weights=[45, 25, 15, 15])[0],
                 category=category, title=("再次" + title if kind == "repeat" and title.startswith("反映") else title),
                 content=text, petitioners=people, joint=joint, headcount=headcount,
                 key_difficult=key_difficult, event=event,
                 received=when - dt.timedelta(days=self.rng.choice([0, 0, 0, 1, 2])))
        self.plans.append(p)
        return p

    # -------------------------------------------------------------------------- the steps

    def body_of(self, p: Plan) -> tuple[dict[str, Any], Person]:
        """Where a plan is routed and who answers for the body: a village's own matters to the
        village (its secretary), a town-level one to the town, the rest to the department."""
        village_matters = {"dispute.neighbours", "livelihood.infrastructure", "dispute.land"}
        if p.region.level == "village" and p.category in village_matters and p.kind == "first":
            return {"office": p.region}, self.roster.secretary[p.region.id]
        if p.region.level == "town":
            return {"office": p.region}, self.cadre(p.region)
        dept = self.department_of(p.category)
        return {"department": dept}, self.roster.dept_liaison[dept.code]

    def line(self, p: Plan, *, to: str, route_days: float = 2, accept_days: float = 3, answer_days: float = 20,
             extend: int = 0, review: tuple[float, float] | None = None,
             rereview: tuple[float, float] | None = None, close_days: float | None = 31,
             terminated: bool = False, refuse: bool = False, objection: bool = False,
             leader: Person | None = None, team: bool = False, urge_at: float | None = None) -> None:
        """The steps of one petition up to the state `to` (see the module for the line); each
        step a partial of its action, given the petition when its moment comes."""
        body, clerk = self.body_of(p)
        answer_text = next((m[3] for m in MATTERS if m[1] in p.title),
                           "经调查核实,已依法依规作出处理。")
        office = self.operator if "department" in body else self.u(self.cadre(p.region))
        by_clerk, by_leader = self.u(clerk), self.u(self.roster.leaders[0])
        steps = p.steps
        t = p.at
        if leader is not None or team:
            who = [self.roster.work_team[p.region.id]] if team and p.region.id in self.roster.work_team else None
            steps.append((t + 2 * HOUR, "assign",
                          partial(actions.petition_assign, actor=by_leader, leader=leader, team=who)))
        if to == "registered":
            return
        if objection:  # first sent to a department that is not responsible, which objects
            departments = self.roster.departments
            wrong = departments["sfj"] if body.get("department") in (None, departments["mzj"]) else departments["mzj"]
            t1 = t + dt.timedelta(days=route_days / 2)
            steps.append((t1, "route", partial(actions.petition_route, actor=self.operator, department=wrong)))
            steps.append((t1 + 2 * DAY, "object", partial(
                actions.petition_object, actor=self.u(self.roster.dept_liaison[wrong.code]),
                reason="该事项不属本单位职责,建议转有关主管部门")))
            t = t1 + 2 * DAY
        t += dt.timedelta(days=route_days)
        steps.append((t, "route", partial(actions.petition_route, actor=office,
                                          routing="assign" if "office" in body else "transfer",
                                          department=body.get("department"), office=body.get("office"))))
        if to == "routed":
            return
        t += dt.timedelta(days=accept_days)
        if refuse:
            steps.append((t, "not_accept", partial(actions.petition_not_accept, actor=by_clerk,
                                                   reason=self.rng.choice(REFUSALS))))
            return
        steps.append((t, "accept", partial(actions.petition_accept, actor=by_clerk)))
        if to == "accepted":
            return
        t += 6 * HOUR
        steps.append((t, "start", partial(actions.petition_start, actor=by_clerk)))
        if urge_at is not None:
            steps.append((t + dt.timedelta(days=urge_at), "urge", partial(
                actions.petition_urge, actor=self.operator, note="请抓紧办理,按时答复信访人")))
        if extend:
            steps.append((t + dt.timedelta(days=min(answer_days, 50)), "extend", partial(
                actions.petition_extend, actor=by_clerk, days=extend, reason="情况复杂,需多部门会商并调取历史档案")))
        if to == "handling":
            return
        t += dt.timedelta(days=answer_days)
        steps.append((t, "answer", partial(actions.petition_answer, actor=by_clerk, answer=answer_text)))
        if review is not None:
            t += dt.timedelta(days=review[0])
            steps.append((t, "apply_review", partial(actions.petition_apply_review, actor=self.operator,
                                                     note="信访人不服处理意见,请求复查")))
            if to == "in_review":
                return
            t += dt.timedelta(days=review[1])
            steps.append((t, "answer_review", partial(actions.petition_answer_review, actor=by_leader,
                                                      answer="经复查,原处理意见事实清楚、依据充分,予以维持。")))
        if rereview is not None:
            t += dt.timedelta(days=rereview[0])
            steps.append((t, "apply_rereview", partial(actions.petition_apply_rereview, actor=self.operator,
                                                       note="信访人不服复查意见,请求复核")))
            if to == "in_rereview":
                return
            t += dt.timedelta(days=rereview[1])
            steps.append((t, "answer_rereview", partial(actions.petition_answer_rereview,
                                                        actor=self.u(self.roster.leaders[-1]),
                                                        answer="经复核,维持复查意见。")))
        if to in {"answered", "reviewed", "rereviewed"} or close_days is None:
            return
        t += dt.timedelta(days=close_days)
        steps.append((t, "close", partial(actions.petition_close, actor=self.operator,
                                          closing="terminated" if terminated else "settled",
                                          note="复核意见为最终意见" if terminated else "信访人息诉罢访")))

    # ---------------------------------------------------------------------- the year

    def history(self, n: int, start: dt.date, end: dt.date, *, kind: str = "first") -> None:
        """`n` petitions registered between start and end (both included), played to their close,
        each body on its own time (some late)."""
        days = max((end - start).days, 0)
        for i in range(n):
            day = start + dt.timedelta(days=(days * (i + self.rng.random())) // max(n, 1))
            when = self._moment(min(day, end))
            if when >= self.as_of - 2 * HOUR:
                when = self.as_of - dt.timedelta(hours=3 + i)
            p = self.plan(when, kind=kind, joint=self.rng.random() < 0.06,
                          key_difficult=self.rng.random() < 0.08)
            late = self.rng.random()
            if "office" in self.body_of(p)[0] and p.region.level == "village":
                # A village settles its own first-time matters inside the week (seed 004), mostly.
                self.line(p, to="closed", route_days=self.rng.choice([0.2, 0.5, 1]),
                          accept_days=self.rng.choice([0.3, 1]), answer_days=self.rng.choice([1, 2, 3, 4, 9]),
                          close_days=self.rng.choice([3, 7, 31]))
                continue
            self.line(p, to="closed",
                      route_days=self.rng.choice([1, 2, 3, 5]) if late > 0.05 else 17,  # a few routed late
                      accept_days=self.rng.choice([1, 2, 4, 7]) if late > 0.1 or late < 0.05 else 18,
                      answer_days=self.rng.choice([3, 5, 6, 12, 25, 40]) if late < 0.85 else 64,
                      close_days=self.rng.choice([3, 7, 31]),
                      review=(10, 20) if 0.5 < late < 0.55 else None,
                      leader=self.cadre(p.region) if self.rng.random() < 0.3 else None)

    def now_running(self) -> None:
        """Petitions open at 'now' in every state, every limit running and some past due."""
        ago = lambda days, hour=10.0: self._moment(self.today - dt.timedelta(days=days), hour)  # noqa: E731
        leaders = self.roster.leaders
        scenarios: list[tuple[dt.datetime, dict[str, Any], dict[str, Any]]] = [
            (ago(2), {}, {"to": "registered"}),  # 15 days to route
            (ago(21), {"kind": "repeat"}, {"to": "registered"}),  # not routed in 15 days: past due
            (ago(4), {}, {"to": "routed", "route_days": 2}),  # to decide, to object
            (ago(14), {}, {"to": "routed", "route_days": 2}),  # objection window passed, deciding due soon
            (ago(25), {"kind": "repeat"}, {"to": "routed", "route_days": 3}),  # 15 days to decide passed
            (ago(6), {"joint": True}, {"to": "accepted", "route_days": 1, "accept_days": 2,
                                       "leader": leaders[0], "team": True}),
            (ago(58), {"key_difficult": True}, {"to": "handling", "route_days": 1, "accept_days": 2,
                                                "leader": leaders[0], "team": True}),  # 60 days nearly up
            (ago(75), {"kind": "repeat"}, {"to": "handling", "route_days": 2, "accept_days": 3,
                                           "urge_at": 50}),  # 60 days passed
            (ago(80), {"kind": "repeat"}, {"to": "handling", "route_days": 1, "accept_days": 2, "extend": 30,
                                           "answer_days": 55}),  # extended once
            (ago(12), {}, {"to": "answered", "route_days": 1, "accept_days": 1, "answer_days": 2}),  # may ask review
            (ago(60), {"kind": "repeat"}, {"to": "in_review", "route_days": 1, "accept_days": 2,
                                           "answer_days": 10, "review": (20, 0)}),  # review answer due soon
            (ago(90), {"kind": "repeat"}, {"to": "reviewed", "route_days": 1, "accept_days": 2,
                                           "answer_days": 20, "review": (25, 25)}),  # may ask re-review
            (ago(150), {"kind": "repeat"}, {"to": "in_rereview", "route_days": 1, "accept_days": 2,
                                            "answer_days": 30, "review": (20, 28),
                                            "rereview": (15, 0)}),  # re-review answer past due
            (ago(120), {"kind": "repeat"}, {"to": "rereviewed", "route_days": 1, "accept_days": 2,
                                            "answer_days": 15, "review": (10, 20), "rereview": (10, 25)}),
            (ago(200), {"kind": "repeat"}, {"to": "closed", "route_days": 1, "accept_days": 3,
                                            "answer_days": 40, "review": (20, 25), "rereview": (25, 28),
                                            "close_days": 5, "terminated": True}),  # 终结
            (ago(30), {}, {"to": "not_accepted", "refuse": True}),
            (ago(40), {}, {"to": "handling", "objection": True, "route_days": 4, "accept_days": 3}),
            (ago(3), {"village_matter": True}, {"to": "accepted", "route_days": 1, "accept_days": 1}),  # 7 days
            (ago(9), {"key_difficult": True, "village_matter": True},
             {"to": "handling", "route_days": 1, "accept_days": 1}),  # 7 days passed, 14 running
            (ago(20), {"at_town": True}, {"to": "handling", "route_days": 2, "accept_days": 2}),
        ]
        village_matter = next(m for m in MATTERS if m[0] == "livelihood.infrastructure")
        for when, opts, line in scenarios:
            opts = dict(opts)
            matter = village_matter if opts.pop("village_matter", False) else None
            p = self.plan(when, matter=matter, **opts)
            self.line(p, **line)

    def backlog(self, n: int) -> None:
        """Backlog cases in all four batches; some over twenty years old, some re-sorted, about
        half settled this year."""
        batches = list(Batch.values)
        jan1 = dt.date(self.today.year, 1, 1)
        for i in range(n):
            start = jan1 + dt.timedelta(days=min(i * 3, max((self.today - jan1).days - 60, 0)))
            when = self._moment(max(start, jan1), 9.5)
            if when >= self.as_of - 30 * DAY:
                when = self.as_of - dt.timedelta(days=40 + i)
            category, title, content = BACKLOG_MATTERS[i % len(BACKLOG_MATTERS)]
            year = (1993 + (i * 7) % 8) if i % 5 == 0 else (2004 + (i * 5) % 18)  # every fifth over twenty years
            matter = (category, title, content.format(year=year), "经领导包案、专班攻坚,依法依规作出处理。")
            p = self.plan(when, kind="repeat", matter=matter, joint=i % 7 == 3)
            leader = self.roster.leaders[i % len(self.roster.leaders)]
            batch = batches[i % 4]
            settle = i % 2 == 0
            # The petition itself is answered and closed; the case stays in the backlog until
            # settled. A few are still being handled, long past their 60 days.
            self.line(p, to="handling" if i % 8 == 1 else "closed", route_days=1, accept_days=2,
                      answer_days=25, close_days=31, leader=leader, team=True)
            listed = when + 5 * HOUR
            p.steps.append((listed, "list_backlog", partial(
                actions.petition_list_backlog, actor=self.operator, first_raised_year=year, batch=batch,
                leader=leader, note="经县信访工作联席会议研究列入积案")))
            if i % 3 == 1:
                p.steps.append((listed + 10 * DAY, "resort", partial(
                    actions.petition_resort, actor=self.operator, batch=batches[(i + 1) % 4],
                    reason="经评估研判,调整化解方式")))
            if settle:
                p.steps.append((when + 32 * DAY, "settle_backlog", partial(
                    actions.petition_settle_backlog, actor=self.u(leader),
                    settlement="包案领导多次约访,会同相关部门依法解决合理诉求,信访人签字息诉罢访。")))

    # --------------------------------------------------------------------------- playing

    def play(self) -> None:
        schedule: list[tuple[dt.datetime, int, str, Callable[..., Any] | None]] = []
        for n, p in enumerate(self.plans):
            schedule.append((p.at, n, "register", None))
            schedule += [(moment, n, action, do) for moment, action, do in p.steps]
        schedule.sort(key=lambda s: (s[0], s[1]))
        for moment, n, action, do in schedule:
            if moment >= self.as_of:
                continue  # not yet happened
            plan = self.plans[n]
            with stories._at(moment):
                if do is None:
                    self._register(plan)
                else:
                    assert plan.petition is not None
                    do(petition=Petition.objects.get(pk=plan.petition.pk))
            self.report.actions[action] += 1

    def _register(self, p: Plan) -> None:
        received = p.received if p.received and p.received < p.at else None
        # The county's office registers most; a town's petitions half the time at the town itself.
        clerk = self.u(self.cadre(p.region)) if p.region.level == "town" and self.rng.random() < 0.5 else self.operator
        p.petition = actions.petition_register(
            actor=clerk,
            form=p.form, kind=p.kind, title=p.title, content=p.content, category=self.categories[p.category],
            region=p.region, petitioners=p.petitioners, received_at=received, joint=p.joint,
            headcount=p.headcount, key_difficult=p.key_difficult, event=p.event,
        )


def build_petitions(*, county: County, roster: Roster, as_of: dt.datetime, events: int,
                    seed: int = 2026) -> PetitionsReport:
    """The demo's petitions (see the module); `events` sets the scale (one unit per 1,200 events,
    at most ten)."""
    from fengqiao.petitions.models import BacklogCase
    from fengqiao.petitions.queries import first_time_petitions
    from fengqiao.workflow.models import Clock

    scale = max(1, min(10, events // 1200))
    b = Builder(county=county, roster=roster, as_of=as_of, seed=seed, scale=scale)
    today = b.today
    jan1 = dt.date(today.year, 1, 1)
    a_year_ago = today.replace(year=today.year - 1) if not (today.month == 2 and today.day == 29) \
        else today.replace(year=today.year - 1, day=28)
    last_jan1 = dt.date(today.year - 1, 1, 1)
    live = Builder.now_running  # the open ones, a share of this period's first-time petitions
    b.history(25 * scale, last_jan1, a_year_ago)  # 初信初访 last year, same period
    b.history(4 * scale, a_year_ago + DAY, dt.date(today.year - 1, 12, 31))  # the rest of last year
    b.history(3 * scale, last_jan1, dt.date(today.year - 1, 12, 31), kind="repeat")
    before = len(b.plans)
    live(b)
    open_first = sum(1 for p in b.plans[before:] if p.kind == "first" and timezone.localtime(p.at).date() >= jan1)
    b.history(max(12 * scale - open_first, 0), jan1, today - 2 * DAY)  # 初信初访 this year: 12 per unit
    b.history(4 * scale, jan1, today - 2 * DAY, kind="repeat")
    b.backlog(8 * scale + 4)
    b.play()

    report = b.report
    report.scan = clocks.scan(now=as_of)
    petitions = Petition.objects.filter(county=county.county)
    report.petitions = petitions.count()
    report.statuses = Counter(petitions.values_list("status", flat=True))
    figure = first_time_petitions(region=county.county, start=jan1, end=today)
    report.first_time = (figure.current, figure.baseline)
    cases = list(BacklogCase.objects.filter(petition__county=county.county))
    report.backlog = Counter(c.batch for c in cases)
    report.backlog_settled = sum(1 for c in cases if c.settled_at is not None)
    report.backlog_over_twenty = sum(1 for c in cases if c.age_at(today.year) >= 20)
    running = Clock.objects.filter(workflow="petition", stopped_at=None)
    report.clocks_running = running.count()
    report.clocks_overdue = running.filter(due_at__lt=as_of).count()
    report.clocks_missed = Clock.objects.filter(workflow="petition", outcome=Clock.Outcome.LATE).count()
    from fengqiao.petitions.models import Document

    report.notices = Document.objects.filter(petition__county=county.county).count()
    return report
