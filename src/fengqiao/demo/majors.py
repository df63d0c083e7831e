"""The demo's major matters (三级挂账督办) and stationed cadres (部门驻村、干部住村), played through
the real actions (`fengqiao.majors.actions`, `fengqiao.stationing.actions`) under the frozen
platform clock, at the moment each step happened, in one chronological order.

Major matters (seed 002: "三级挂账督办重大事项240个,已经完成222个"), scaled by half (a small demo
by six): 120 listed and 111 closed, 92.5% — matters of every kind and every level, the older
ones assessed, listed, carried through their milestones (some late) and closed at their level.
This year's key projects (seed 000: fifty a year, fifteen at the city, one task force each of
village cadres and party members, 23 broken through and 10 done within two months) scaled to
ten: three at the city, each with its task force, half broken through, two done, one waiting
for its closing to be approved, one behind its milestone and under supervision. Beside the
ledger: a matter waiting for its assessment, one being assessed, one postponed, one stopped.

Stationed cadres (seed 004): the departments paired with lagging villages stationed there with a
cadre each (每周一住村), county leaders in a town each (两周一住镇), and the village liaisons and
community police of 度尾镇's villages (每周一、五住村) — ten weeks of check-ins from their phones
inside the village outlines (some outside it, some without a position, a few checked out late),
each cadre as diligent as people are. The weeks before 国庆 move Monday's night as the rule says.

My own clocks are warned and noticed as the scanner would have, at their moment, through
`workflow.clocks.notice` (never another app's clocks out of their order). Deterministic for
(seed, as_of, events); its random streams are its own.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.utils import timezone

from fengqiao.demo import names, stories
from fengqiao.demo.people import DEMO_PASSWORD, DEMO_TOWN, DEMO_VILLAGE, Login, Roster, describe
from fengqiao.demo.places import County
from fengqiao.lib.errors import DomainError
from fengqiao.majors import actions as majors
from fengqiao.majors.models import Matter, Milestone
from fengqiao.majors.queries import completion
from fengqiao.people.models import Department, Pairing, Person, Post, Role
from fengqiao.regions.models import Region, RegionShape
from fengqiao.stationing import actions as stationing
from fengqiao.stationing.compliance import periods_of
from fengqiao.stationing.models import Plan, Rule, Stay
from fengqiao.workflow import clocks
from fengqiao.workflow.models import Clock

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
MY_CLOCKS = ("major", "major_milestone", "stay")
STAY_WEEKS = 10


def _png() -> bytes:
    """A one-pixel PNG: the demo's photo evidence (sniffed as image/png like any upload)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    raw = zlib.compress(b"\x00\x1f\x4e\x8c")
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", (1).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00")
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


PHOTO = _png()

KEY_PROJECTS = [  # (title, what, area)
    ("{village}安置区土地平整", "为安置{village}拆迁农户,平整安置地块约六万平方米,需完成遗留农户政策处理。", "land"),
    ("{town}污水管网改造工程", "新建污水主管网12公里,涉及沿线商户临时占道和部分农田青苗补偿。", "infrastructure"),
    ("{town}农贸市场提升改造", "原址改造农贸市场,涉及经营户临时安置过渡和摊位重新分配。", "livelihood"),
    ("{village}文旦柚冷链仓储中心", "建设冷链仓储中心,流转土地约八十亩,带动柚农增收。", "infrastructure"),
    ("{town}中心小学扩建", "扩建教学楼和运动场,征收周边民房11户。", "livelihood"),
    ("国道324线{town}段改线工程", "国道改线约5.6公里,涉及征地、迁坟和电力线路迁改。", "land"),
    ("{town}工业园区标准厂房建设", "建设标准厂房6万平方米,涉及园区内企业搬迁和道路改造。", "infrastructure"),
    ("{village}旧村改造一期", "拆除危旧房屋32栋,建设安置房和公共服务中心。", "land"),
    ("{town}溪流综合治理", "治理河道8公里,清理违建养殖场,建设防洪堤和滨水步道。", "environment"),
    ("{town}卫生院迁建", "卫生院整体迁建,新址征地约二十亩。", "livelihood"),
]
OTHER_MATTERS: dict[str, list[tuple[str, str, str]]] = {
    "key_project": KEY_PROJECTS[:6],
    "decision": [
        ("{county}城区停车收费标准调整", "调整城区公共停车场和路内泊位收费标准,实行差别化收费。", "livelihood"),
        ("{county}农村宅基地有偿使用办法", "对超标准占用宅基地实行有偿使用,涉及全县农户。", "land"),
        ("{county}网约车管理实施细则", "明确网约车准入条件和经营规范,涉及出租车行业利益调整。", "other"),
        ("{county}城区学区划分调整", "调整城区小学、初中学区范围,涉及新生入学。", "livelihood"),
    ],
    "reform": [
        ("{county}公立医院薪酬制度改革", "推进公立医院薪酬制度改革,调整绩效分配办法。", "livelihood"),
        ("{town}行政村规模调整", "合并规模偏小的行政村,调整村级组织设置。", "other"),
        ("{county}国有林场改革", "国有林场整合重组,职工分流安置。", "labour"),
        ("{county}农村集体产权制度改革", "清产核资、成员身份确认和股份量化。", "land"),
    ],
    "activity": [
        ("{county}文旦柚文化节", "举办文旦柚文化节,预计参与群众三万人次。", "safety"),
        ("{county}木雕艺术博览会", "举办木雕艺术博览会,设展位八百个。", "safety"),
        ("{town}元宵民俗踩街活动", "传统元宵踩街活动,沿线群众聚集,需做好安全保障。", "safety"),
        ("{county}半程马拉松赛", "城区半程马拉松赛,交通管制四小时。", "safety"),
    ],
    "risk": [
        ("{town}某楼盘逾期交房风险化解", "某楼盘停工逾期交房,涉及购房户三百余户,存在群体上访风险。", "real_estate"),
        ("某投资咨询公司非法集资风险处置", "某投资咨询公司以高息为诱饵吸收公众存款,涉及群众两百余人。", "fund_raising"),
        ("{village}征地补偿遗留问题化解", "多年前征地补偿款分配遗留问题,村民多次集体上访。", "land"),
        ("{town}某鞋业企业欠薪风险", "企业经营困难拖欠工资,涉及职工一百余人。", "labour"),
        ("{town}某小额贷款公司兑付风险", "小额贷款公司到期兑付困难,涉及出借人八十余人。", "finance"),
        ("{village}山林权属纠纷隐患", "两村山林界址争议激化,存在械斗风险。", "land"),
    ],
}
OWNER_OF_AREA = {"land": "zrzyj", "real_estate": "zjj", "fund_raising": "gaj", "finance": "gaj", "labour": "rsj",
                 "environment": "sthjj", "safety": "gaj", "infrastructure": "jtysj", "livelihood": "mzj",
                 "other": "sfj"}
RISKS = [
    ("legality", "项目用地审批手续需在实施前办结,存在程序瑕疵风险。", "low", "high", "实施前完成用地审批,依法公示。"),
    ("reasonable", "补偿安置标准与周边项目存在差异,部分群众可能不满。", "medium", "medium",
     "统一补偿标准,逐户讲解政策,设立咨询点。"),
    ("feasibility", "工期紧、资金需分期到位,存在延期风险。", "medium", "medium", "落实资金计划,倒排工期。"),
    ("control", "少数群众诉求未满足可能聚集上访。", "low", "high", "包案领导约访,镇村干部包户稳控,制定应急预案。"),
]


@dataclass
class MajorsReport:
    listed: int = 0
    done: int = 0
    rate: str = ""
    statuses: Counter = field(default_factory=Counter)
    levels: Counter = field(default_factory=Counter)
    key_projects: int = 0
    task_force: Counter = field(default_factory=Counter)
    breakthroughs: int = 0
    stations: int = 0
    plans: Counter = field(default_factory=Counter)
    stays: int = 0
    stays_counted: int = 0
    notices: Counter = field(default_factory=Counter)
    actions: Counter = field(default_factory=Counter)

    def lines(self) -> list[str]:
        return [
            f"major matters (三级挂账督办): {self.listed} listed, {self.done} closed, completion {self.rate}; "
            + ", ".join(f"{k} {n}" for k, n in sorted(self.levels.items())) + "; "
            + ", ".join(f"{s} {n}" for s, n in self.statuses.most_common()),
            f"  this year's key projects {self.key_projects}, task forces "
            + ", ".join(f"{k} {n}" for k, n in sorted(self.task_force.items()))
            + f", breakthroughs {self.breakthroughs}",
            f"stationed cadres: {self.stations} department stations, plans "
            + ", ".join(f"{k} {n}" for k, n in sorted(self.plans.items()))
            + f"; {self.stays} stays in {STAY_WEEKS} weeks, {self.stays_counted} counted; clock notices "
            + ", ".join(f"{k} {n}" for k, n in sorted(self.notices.items())),
        ]


Step = tuple[dt.datetime, int, str, Callable[[], Any]]


class Builder:
    def __init__(self, *, county: County, roster: Roster, as_of: dt.datetime, seed: int, full: bool):
        self.county, self.roster, self.as_of, self.full = county, roster, as_of, full
        self.rng = random.Random(f"demo-majors-{seed}")
        self.today = timezone.localtime(as_of).date()
        self.steps: list[Step] = []
        self.report = MajorsReport()
        self.operator = roster.duty_operator
        self.approver = roster.operators[1] if len(roster.operators) > 1 else roster.duty_operator
        self.city_officer = self._city_officer()
        self.villages = [v for v in county.villages if v.town_id in roster.town_cadres]

    # ----------------------------------------------------------------------------- people

    def _city_officer(self) -> Person:
        """莆田市委政法委维稳办's officer: lists and closes city-level matters (login `city`)."""
        city = Region.objects.get(code=self.county.county.code[:4])  # 莆田市 (3503), above the county
        user = get_user_model().objects.create(username="city", first_name="市维稳办",
                                               password=make_password(DEMO_PASSWORD))
        person = Person(name=names.person_name(self.rng), user=user)
        person.set_phone(names.mobile(self.rng))
        person.save()
        Post.objects.create(person=person, role=Role.OPERATOR, region=city, on_duty=True)
        self.roster.logins.append(Login(role=Role.OPERATOR, username="city",
                                        who=describe(person, Role.OPERATOR, city, None)))
        return person

    def u(self, person: Person):
        return self.roster.user(person)

    def town_office(self, town: Region) -> Department:
        dep, _made = Department.objects.get_or_create(code=f"zf-{town.code}", defaults={
            "name": f"{town.display_name}人民政府", "region": town})
        return dep

    def at(self, moment: dt.datetime, action: str, fn: Callable[[], Any]) -> None:
        if moment < self.as_of:
            self.steps.append((moment, len(self.steps), action, fn))

    def _moment(self, day: dt.date, hour: float) -> dt.datetime:
        naive = dt.datetime.combine(day, dt.time()) + dt.timedelta(hours=hour)
        return timezone.make_aware(naive.replace(second=0, microsecond=0), timezone.get_current_timezone())

    def _fill(self, template: str, village: Region) -> str:
        town = next(t for t in self.county.towns if t.pk == village.town_id)
        return template.format(village=village.display_name, town=town.display_name,
                               county=self.county.county.display_name)

    # ------------------------------------------------------------------------ one matter

    def matter(self, *, start: dt.datetime, kind: str, template: tuple[str, str, str], level: str,
               village: Region, milestones: int, closed: bool, late_share: float = 0.12,
               breakthrough: bool = False, team: tuple[int, int] = (0, 0), stop_after: str = "",
               closing: bool = False, behind: bool = False, span_days: int | None = None) -> None:
        """The steps of one matter from registration to closing (or as far as `stop_after`)."""
        rng = self.rng
        title_t, what_t, area = template
        title, what = self._fill(title_t, village), self._fill(what_t, village)
        town = next(t for t in self.county.towns if t.pk == village.town_id)
        if level == "town":
            registrar = self.roster.town_cadres[town.pk][0]
            approver = self.roster.town_cadres[town.pk][1 % len(self.roster.town_cadres[town.pk])]
            leader = registrar
            owner = self.town_office(town)
            reporter = leader
        else:
            registrar = self.city_officer if level == "city" else self.operator
            approver = self.city_officer if level == "city" else self.approver
            leader = self.roster.leaders[rng.randrange(len(self.roster.leaders))]
            owner = self.roster.departments[OWNER_OF_AREA.get(area, "sfj")]
            reporter = self.roster.dept_liaison[owner.code]
        region = village if rng.random() < 0.8 or level == "city" else town
        box: dict[str, Any] = {}
        t = start
        needs = kind != "risk"
        span = span_days or 30 + rng.randrange(25)
        first_due = (t + (16 if needs else 4) * DAY + span * DAY).date()
        dues = [first_due + dt.timedelta(days=span * i) for i in range(milestones)]
        target_on = dues[-1] + dt.timedelta(days=20 + rng.randrange(40))

        def register() -> None:
            box["m"] = majors.matter_register(
                actor=self.u(registrar), title=title, description=what, kind=kind, level=level, region=region,
                owner=owner, leader=leader, target_on=target_on, target=f"按节点计划于{target_on:%Y年%m月}前完成。",
                area=area)

        self.at(t, "register", register)
        if stop_after == "register":
            return
        if needs:
            grade, decision = self._grade()
            if stop_after == "postpone":
                grade, decision = "high", "postpone"
            elif stop_after == "stop":
                grade, decision = "high", "stop"
            self._assessment(box, t, registrar, leader if level != "town" else approver, grade, decision,
                             stop_before_decide=stop_after == "assessing")
            if stop_after in ("assessing", "postpone", "stop"):
                return
            t += 14 * DAY
        plan_at = t + 1 * DAY + 2 * HOUR
        self.at(plan_at, "plan", lambda: majors.milestones_plan(actor=self.u(registrar), matter=box["m"].pk, add=[
            majors.MilestoneInput(title=f"节点{i + 1}:{n}", due_on=d)
            for i, (n, d) in enumerate(zip(self._milestone_names(kind, milestones), dues, strict=True))]))
        if team[0] or team[1]:
            self._team(box, plan_at + HOUR, registrar, village, team)
        start_at = plan_at + 3 * HOUR
        self.at(start_at, "start", lambda: majors.matter_start(actor=self.u(registrar), matter=box["m"].pk))
        last = start_at
        for i, due in enumerate(dues):
            late = rng.random() < late_share
            done_day = due + dt.timedelta(days=rng.randrange(2, 12)) if late else due - dt.timedelta(
                days=rng.randrange(1, 12))
            done_at = self._moment(done_day, 10 + rng.random() * 6)
            if done_at <= last:
                done_at = last + 6 * HOUR
            if not closed and (behind and i == len(dues) - 1 or done_at >= self.as_of - DAY):
                break
            report_at = done_at - (2 + rng.randrange(4)) * DAY
            if report_at > last:
                self.at(report_at, "report", self._report(box, reporter, f"节点{i + 1}推进顺利,已完成约八成工作量。"))
            if breakthrough and i == 0:
                self.at(done_at - 3 * HOUR, "breakthrough", self._report(
                    box, reporter, "最后一批农户签订协议,政策处理取得关键性突破。", breakthrough=True))
            self.at(done_at, "complete", self._complete(box, leader, i + 1, "节点任务完成,资料已归档。"))
            last = done_at
        if behind:
            overseer = self.u(self.city_officer if level == "city" else self.operator)
            self.at(self.as_of - 4 * DAY, "urge", lambda: majors.matter_urge(
                actor=overseer, matter=box["m"].pk, note="节点已逾期,请包案领导牵头研究解决。"))
            self.at(self.as_of - 3 * DAY, "supervise", lambda: majors.matter_supervise(
                actor=overseer, matter=box["m"].pk, note="列入督办,三日内报送整改措施。"))
            self.at(self.as_of - 2 * DAY, "supervise", lambda: majors.matter_supervise(
                actor=overseer, matter=box["m"].pk, note="仍未推进,升级为黄牌督办。"))
        if not (closed or closing):
            return
        ask_at = last + (1 + rng.randrange(3)) * DAY
        if closing:
            ask_at = min(ask_at, self.as_of - 2 * HOUR)
        self.at(ask_at, "request_close", lambda: majors.close_request(
            actor=self.u(reporter), matter=box["m"].pk, summary="全部节点任务已完成,群众无异议,申请销号。"))
        if closed:
            self.at(ask_at + (1 + rng.randrange(4)) * DAY, "approve_close", lambda: majors.close_approve(
                actor=self.u(approver), matter=box["m"].pk, note="经实地核查,同意销号。"))

    def _grade(self) -> tuple[str, str]:
        roll = self.rng.random()
        if roll < 0.5:
            return "low", "go" if self.rng.random() < 0.6 else "go_measures"
        return "medium", "go_measures"

    def _assessment(self, box: dict[str, Any], t: dt.datetime, editor: Person, decider: Person, grade: str,
                    decision: str, *, stop_before_decide: bool = False) -> None:
        rng = self.rng
        user = self.u(editor)
        self.at(t + 1 * DAY, "assess", lambda: majors.assessment_open(actor=user, matter=box["m"].pk))
        for n, risk in enumerate(rng.sample(RISKS, 2)):
            self.at(t + 2 * DAY + n * HOUR, "edit_assessment", partial(self._risk, box, user, risk))
        reached = 40 + rng.randrange(400)
        oppose = max(1, int(reached * (0.02 + rng.random() * (0.15 if grade != "low" else 0.05))))
        support = int((reached - oppose) * (0.7 + rng.random() * 0.25))
        held = (t + 4 * DAY).date()
        channel = "symposium" if rng.random() < 0.5 else "questionnaire"
        second = max(1, reached // 3)
        for n, (ch, r, s_, o) in enumerate((("visit", reached, support, oppose),
                                            (channel, second, second * 3 // 4, second // 10))):
            self.at(t + 5 * DAY + n * HOUR, "edit_assessment", partial(self._opinion, box, user, ch, held, r, s_, o))
        self.at(t + 8 * DAY, "edit_assessment", lambda: majors.assessment_add_expert(
            actor=user, matter=box["m"].pk, name=names.person_name(rng), title="律师 行政法",
            conclusion="conditional" if grade != "low" else "agree", opinion="程序合法,须落实公示和补偿。"))
        self.at(t + 10 * DAY, "edit_assessment", lambda: majors.assessment_conclude(
            actor=user, matter=box["m"].pk, grade=grade, grade_reason="综合民意调查和专家评审意见评定。",
            measures="公开方案,逐户做好解释;包案领导定期约访;设立矛盾调处点。",
            contingency="" if grade == "low" else "发生群体聚集时,由属地镇政府启动应急预案,公安维护现场秩序。"))
        if stop_before_decide:
            return
        self.at(t + 12 * DAY, "decide", lambda: majors.assessment_decide(
            actor=self.u(decider), matter=box["m"].pk, decision=decision, note="按评估报告意见办理。"))

    @staticmethod
    def _risk(box: dict[str, Any], user, risk: tuple[str, str, str, str, str]) -> None:
        dim, text, like, impact, measure = risk
        majors.assessment_add_risk(actor=user, matter=box["m"].pk, dimension=dim, description=text, likelihood=like,
                                   impact=impact, measure=measure, responsible="责任单位")

    @staticmethod
    def _opinion(box: dict[str, Any], user, channel: str, held: dt.date, reached: int, support: int,
                 oppose: int) -> None:
        majors.assessment_add_opinion(actor=user, matter=box["m"].pk, channel=channel, held_on=held, reached=reached,
                                      support=support, oppose=oppose, concerns="补偿标准、安置时间、施工影响。")

    def _milestone_names(self, kind: str, n: int) -> list[str]:
        pool = {"key_project": ["政策处理", "征迁签约", "场地平整", "主体施工", "竣工验收"],
                "decision": ["方案公示", "听证论证", "出台文件", "跟踪评估"],
                "reform": ["摸底调查", "方案审定", "组织实施", "总结验收"],
                "activity": ["安保方案", "应急演练", "活动保障", "总结评估"],
                "risk": ["摸排建档", "包案约访", "化解处置", "巩固稳控"]}[kind]
        return [pool[i % len(pool)] for i in range(n)]

    def _team(self, box: dict[str, Any], moment: dt.datetime, actor: Person, village: Region,
              sizes: tuple[int, int]) -> None:
        village_cadres = [p for p in (self.roster.secretary.get(village.pk), self.roster.liaison.get(village.pk),
                                      self.roster.work_team.get(village.pk), self.roster.police.get(village.pk))
                          if p is not None]
        assert village.town_id is not None  # a village always lies in a town
        town_cadres = self.roster.town_cadres[village.town_id]
        members = [majors.MemberInput(person_id=town_cadres[0].pk, post="head", identity="cadre", unit="镇政府")]
        for n, p in enumerate(village_cadres[:sizes[0]]):
            members.append(majors.MemberInput(person_id=p.pk, post="deputy" if n == 0 else "member",
                                              identity="village_cadre", unit=village.display_name))
        for _n in range(sizes[0] - len(village_cadres[:sizes[0]])):
            members.append(majors.MemberInput(name=names.person_name(self.rng), identity="village_cadre",
                                              unit=village.display_name))
        for _n in range(sizes[1]):
            members.append(majors.MemberInput(name=names.person_name(self.rng), identity="party_member",
                                              unit=village.display_name))
        self.report.task_force["village cadres"] += sizes[0]
        self.report.task_force["party members"] += sizes[1]
        self.at(moment, "team", lambda: majors.team_change(actor=self.u(actor), matter=box["m"].pk, add=members))

    def _report(self, box: dict[str, Any], who: Person, text: str, *, breakthrough: bool = False):
        def do() -> None:
            photo = SimpleUploadedFile("现场照片.png", PHOTO, content_type="image/png") if breakthrough else None
            majors.report_add(actor=self.u(who), matter=box["m"].pk, text=text, breakthrough=breakthrough,
                              uploads=[photo] if photo else [])
        return do

    def _complete(self, box: dict[str, Any], who: Person, seq: int, text: str):
        def do() -> None:
            ms = Milestone.objects.get(matter_id=box["m"].pk, seq=seq)
            majors.milestone_complete(actor=self.u(who), milestone=ms, result=text)
        return do

    # ------------------------------------------------------------------------------ the ledger

    def ledger(self) -> None:
        rng = self.rng
        key_n, key_done = (10, 2) if self.full else (4, 1)
        others_done, others_open = (109, 1) if self.full else (36, 0)
        towns_with_cadres = [v for v in self.villages if v.town_id]
        # This year's key projects, defined about two months ago.
        defined = self.as_of - 62 * DAY
        for i in range(key_n):
            village = towns_with_cadres[(i * 7 + 3) % len(towns_with_cadres)]
            # Three at the city (one in a small demo); the one awaiting its closing at the county, where
            # the demo's operator login approves it; the rest at their towns.
            city = {0, 3, 4} if self.full else {0}
            level = "county" if i == key_done else "city" if i in city else "town"
            done = i < key_done
            self.matter(start=defined + i * 5 * HOUR, kind="key_project", template=KEY_PROJECTS[i % len(KEY_PROJECTS)],
                        level=level, village=village, milestones=2 if i <= key_done else 4, closed=done,
                        late_share=0.0,
                        breakthrough=i < key_n // 2, team=(4 + rng.randrange(2), 3 + rng.randrange(2)),
                        closing=(i == key_done), behind=(i == key_n - 1),
                        span_days=15 if i <= key_done else None)
        self.report.key_projects = key_n
        # The older ledger: assessed, listed, carried through and closed (and one still open).
        kinds = ["key_project"] * 25 + ["decision"] * 20 + ["reform"] * 15 + ["activity"] * 15 + ["risk"] * 25
        for i in range(others_done + others_open):
            kind = kinds[i % len(kinds)] if i < len(kinds) else rng.choice(kinds)
            roll = rng.random()
            level = "city" if roll < 0.15 else "town" if roll < 0.45 else "county"
            village = towns_with_cadres[rng.randrange(len(towns_with_cadres))]
            start = self.as_of - (210 + rng.randrange(330)) * DAY  # time to be carried through and closed
            templates = OTHER_MATTERS[kind]
            is_open = i >= others_done
            self.matter(start=start + rng.randrange(8) * HOUR, kind=kind, template=templates[i % len(templates)],
                        level=level, village=village, milestones=2 + rng.randrange(2), closed=not is_open,
                        behind=is_open)
        # Not on the ledger (yet): awaiting assessment, being assessed, postponed, stopped.
        for stop_after, kind, n in (("register", "key_project", 6), ("assessing", "decision", 1),
                                    ("postpone", "reform", 1), ("stop", "activity", 3)):
            village = towns_with_cadres[(n * 11) % len(towns_with_cadres)]
            start = self.as_of - (20 if stop_after != "register" else 3) * DAY
            self.matter(start=start, kind=kind, template=OTHER_MATTERS[kind][n % len(OTHER_MATTERS[kind])],
                        level="county", village=village, milestones=2, closed=False, stop_after=stop_after)

    # ----------------------------------------------------------------------------- stationing

    def stationing(self) -> None:
        rng = random.Random(f"demo-stationing-{self.rng.random()}")
        start_day = self.today - dt.timedelta(weeks=STAY_WEEKS, days=self.today.weekday())
        start_at = self._moment(start_day, 8.5)
        operator = self.u(self.operator)
        rules = {r.code: r for r in Rule.objects.filter(active=True)}
        plans: list[tuple[Plan | None, dict[str, Any], float]] = []
        pairings = list(Pairing.objects.filter(active=True, village__county=self.county.county)
                        .select_related("department", "village").order_by("village__code"))
        cap = 30 if self.full else 8
        for n, pairing in enumerate(pairings[:cap]):
            box: dict[str, Any] = {}
            cadre = self._department_cadre(pairing.department, pairing.village)

            def station_and_plan(p=pairing, c=cadre, b=box) -> None:
                b["station"] = stationing.station_create(actor=operator, department=p.department, village=p.village,
                                                         starts_on=start_day, note="挂钩帮扶滞后村:部门驻村")
                b["plan"] = stationing.plan_create(actor=operator, person=c, rule=rules["village_weekly"],
                                                   region=p.village, identity="dept_cadre", starts_on=start_day,
                                                   station=b["station"])
            self.at(start_at + n * 2 * dt.timedelta(minutes=1), "station", station_and_plan)
            plans.append((None, box, rng.choice([0.97, 0.9, 0.8, 0.55])))
        for n, leader in enumerate(self.roster.leaders):
            town = self.county.towns[n % len(self.county.towns)]
            box = {}
            self.at(start_at + (n + 1) * HOUR, "plan", partial(
                self._plan, box, operator, leader, rules["town_biweekly"], town, "county_leader", start_day))
            plans.append((None, box, rng.choice([0.95, 0.8, 0.6])))
        demo_town = next(t for t in self.county.towns if t.code == DEMO_TOWN)
        town_cadre = self.u(self.roster.town_cadres[demo_town.pk][0])
        villages = sorted(self.county.villages_of.get(demo_town.pk, []), key=lambda v: (v.code != DEMO_VILLAGE, v.code))
        villages = villages[: (12 if self.full else 5)]  # 洋坂村 first: the demo's police login lives there
        for n, village in enumerate(villages):
            for who, identity in ((self.roster.liaison.get(village.pk), "town_cadre"),
                                  (self.roster.police.get(village.pk), "police")):
                if who is None:
                    continue
                box = {}
                self.at(start_at + (n + 8) * HOUR, "plan", partial(
                    self._plan, box, town_cadre, who, rules["village_mon_fri"], village, identity, start_day))
                # The demo login of 洋坂村's police keeps to the rule (docs/demo.md shows its check-in).
                diligence = 0.98 if village.code == DEMO_VILLAGE else rng.choice([0.95, 0.9, 0.75, 0.5, 0.3])
                plans.append((None, box, diligence))
        self._stay_plans = plans
        self._stay_rng = rng

    @staticmethod
    def _plan(box: dict[str, Any], actor, person: Person, rule: Rule, region: Region, identity: str,
              start: dt.date) -> None:
        box["plan"] = stationing.plan_create(actor=actor, person=person, rule=rule, region=region, identity=identity,
                                             starts_on=start)

    def _department_cadre(self, department: Department, village: Region) -> Person:
        """A department's cadre stationed in the village: a work-team post there for the department."""
        user = get_user_model().objects.create(username=f"zc-{department.code}-{village.code}",
                                               first_name="驻村干部", password=make_password(None))
        person = Person(name=names.person_name(self.rng), user=user)
        person.set_phone(names.mobile(self.rng))
        person.save()
        Post.objects.create(person=person, role=Role.WORK_TEAM, region=village, department=department)
        return person

    def stays(self) -> None:
        """Each plan's required nights (asked of the compliance rule itself, holidays included),
        kept or not as its cadre is diligent, checked in and out from the phone."""
        rng = self._stay_rng
        for _none, box, diligence in self._stay_plans:
            plan = box.get("plan")
            if plan is None:
                continue
            plan = Plan.objects.select_related("rule", "region").get(pk=plan.pk)
            shape = RegionShape.objects.filter(region=plan.region).first()
            if shape is None:
                continue
            geom = shape.geometry()
            periods = periods_of(plan, [], start=plan.starts_on, end=self.today, today=self.today + 14 * DAY)
            for period in periods:
                for req in period.requirements:
                    if rng.random() > diligence:
                        continue
                    day = req.due if req.named is not None else period.start + dt.timedelta(
                        days=rng.randrange(5 if plan.rule.weekdays else 7))
                    self._night(plan, day, geom, rng)

    def _inside(self, geom, rng: random.Random) -> tuple[float, float]:
        import shapely

        x0, y0, x1, y1 = geom.bounds
        for _ in range(200):
            x, y = x0 + rng.random() * (x1 - x0), y0 + rng.random() * (y1 - y0)
            if geom.contains(shapely.Point(x, y)):
                return y, x
        point = geom.representative_point()
        return point.y, point.x

    def _night(self, plan: Plan, day: dt.date, geom, rng: random.Random) -> None:
        arrive = self._moment(day, 17 + rng.random() * 3)
        leave = self._moment(day + DAY, 6 + rng.random() * 2.5)
        if leave >= self.as_of:
            return
        lat, lng = self._inside(geom, rng)
        roll = rng.random()
        if roll < 0.04:  # checked in from the town, 1–2 km off
            x0, y0, x1, y1 = geom.bounds
            lat, lng = y1 + 0.01 + rng.random() * 0.01, x1 + 0.01
        no_fix = 0.04 <= roll < 0.06
        forgot = 0.06 <= roll < 0.08
        if forgot:
            leave = self._moment(day + 3 * DAY, 8 + rng.random())
            if leave >= self.as_of:
                return
        person = self.u(plan.person)
        box: dict[str, Any] = {}

        def arrive_step() -> None:
            try:
                box["stay"] = stationing.check_in(actor=person, plan=plan.pk, latitude=None if no_fix else lat,
                                                  longitude=None if no_fix else lng,
                                                  accuracy=None if no_fix else 10 + rng.randrange(40))
            except DomainError:
                box["stay"] = None  # still checked in elsewhere (a stay left open): skipped, as the phone would

        def leave_step() -> None:
            if box.get("stay") is None:
                return
            back = self._inside(geom, rng)
            stationing.check_out(actor=person, stay=box["stay"].pk, latitude=back[0], longitude=back[1],
                                 accuracy=10 + rng.randrange(30), households=rng.randrange(0, 9),
                                 events_handled=rng.randrange(0, 3), meetings=rng.randrange(0, 2),
                                 notes=rng.choice(["走访农户,了解诉求。", "参加村民小组会议,宣传政策。",
                                                   "排查矛盾纠纷,调处邻里纠纷一起。", "巡查安全隐患,走访独居老人。"]))

        self.at(arrive, "check_in", arrive_step)
        self.at(leave, "check_out", leave_step)

    # ---------------------------------------------------------------------------------- play

    def _scan_mine(self, moment: dt.datetime) -> None:
        """What the minute scanner would have said by `moment`, for this module's clocks only."""
        running = Clock.objects.filter(workflow__in=MY_CLOCKS, stopped_at__isnull=True)
        due = list(running.filter(due_at__lt=moment, overdue_notified_at=None).values_list("pk", flat=True))
        warn = list(running.filter(warn_at__lte=moment, due_at__gte=moment, warned_at=None)
                    .values_list("pk", flat=True))
        for kind, ids in ((clocks.WARNING, warn), (clocks.OVERDUE, due)):
            for pk in ids:
                c = Clock.objects.get(pk=pk)
                at = c.warn_at if kind == clocks.WARNING else c.due_at + dt.timedelta(minutes=1)
                with stories._at(max(at, c.started_at)):
                    if clocks.notice(clock_id=pk, kind=kind):
                        self.report.notices[kind] += 1

    def play(self, phase: str) -> None:
        steps = sorted(self.steps, key=lambda s: (s[0], s[1]))
        self.steps = []
        for moment, _n, action, fn in steps:
            self._scan_mine(moment)
            with stories._at(moment):
                fn()
            self.report.actions[action] += 1
        self._scan_mine(self.as_of)


def build_majors(*, county: County, roster: Roster, as_of: dt.datetime, events: int,
                 seed: int = 2026) -> MajorsReport:
    """The ledger of major matters and the stationed cadres (see the module)."""
    b = Builder(county=county, roster=roster, as_of=as_of, seed=seed, full=events >= 2000)
    b.ledger()
    b.stationing()
    b.play("setup")  # matters, stations and plans (the plans exist before their stays are drawn)
    b.stays()
    b.play("stays")
    report = b.report
    matters = Matter.objects.filter(Q(county=county.county) | Q(region=county.county))
    figure = completion(matters)
    report.listed, report.done, report.rate = figure.listed, figure.done, figure.text
    report.statuses = Counter(matters.values_list("status", flat=True))
    report.levels = Counter(matters.filter(listed_at__isnull=False).values_list("level", flat=True))
    report.breakthroughs = sum(matters.values_list("breakthroughs", flat=True))
    from fengqiao.stationing.models import Station

    report.stations = Station.objects.filter(county=county.county).count()
    report.plans = Counter(Plan.objects.filter(county=county.county).values_list("rule__code", flat=True))
    stays = list(Stay.objects.filter(county=county.county))
    report.stays = len(stays)
    report.stays_counted = sum(1 for s in stays if s.verified)
    return report
