"""The grid network below the village (网格化管理服务): its settings and posts, zones (片区), the
registries (households with their members, firms, rented rooms), field work (visits, hazard
checks on checklists the admin edits, publicity), and the mass-prevention teams (群防群治) with
their duty rosters and patrols.

Every registry row and every record of field work carries the ancestor columns of its region
(province … village, grid; `workflow.scope.file_under` fills them), so "everything under this
town" is one indexed equality, and scope is `workflow.scope.region_scope_q` like every app's.
Records sent from the phone carry the UUID the phone made when the draft was opened
(`client_uuid`, unique): sending one twice finds the first.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fengqiao.lib import clock
from fengqiao.lib.masking import mask_id_number, mask_name, mask_phone
from fengqiao.lib.protect import EncryptedTextField, blind_index


def _ancestor():
    return models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", db_index=True)


class Filed(models.Model):
    """A row filed under a region of the grid network, with the region's ancestor columns."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("grid"))
    province = _ancestor()
    city = _ancestor()
    county = _ancestor()
    town = _ancestor()
    village = _ancestor()
    grid = _ancestor()

    class Meta:
        abstract = True


# ------------------------------------------------------------------------------ settings


class HouseholdLevel(models.TextChoices):
    GRID = "grid", _("Grid (households directly in the grid)")
    UNIT = "unit", _("Unit (grid → unit → household)")


class GridSettings(models.Model):
    """The admin's rules for the grid network (one row, id 1).

    Depth: households sit in a grid, or in a unit (单元: a compound or a building) of a grid.
    Xingtai's five levels (district, street, community, compound, building) are the county,
    town, village, grid and unit levels under the names the county uses (`grid_name`,
    `unit_name`: 小区, 楼院)."""

    household_level = models.CharField(_("households sit in"), max_length=8, choices=HouseholdLevel.choices,
                                       default=HouseholdLevel.GRID)
    grid_name = models.CharField(_("name of the grid level"), max_length=20, default="网格")
    unit_name = models.CharField(_("name of the unit level"), max_length=20, default="单元")
    visit_interval_days = models.PositiveSmallIntegerField(
        _("visit every household and firm at least every (days)"), default=14)
    worker_days_per_week = models.PositiveSmallIntegerField(
        _("each worker in the grid at least (days a week)"), default=4)
    location_tolerance_m = models.PositiveIntegerField(
        _("a visit's location may lie outside the grid outline by (metres)"), default=100)
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("grid rules")
        verbose_name_plural = _("grid rules")
        constraints = [
            models.CheckConstraint(condition=Q(visit_interval_days__gte=1, visit_interval_days__lte=366),
                                   name="grid_settings_interval_bounds"),
            models.CheckConstraint(condition=Q(worker_days_per_week__gte=0, worker_days_per_week__lte=7),
                                   name="grid_settings_days_bounds"),
        ]

    def __str__(self) -> str:
        return str(_("grid rules"))


class Zone(models.Model):
    """片区: a named group of villages (seed 004's 柚相邻 joins 洋坂, 剑山, 中岳 and 帽山 under one
    party committee) that rankings, worklists and the command centre use like a town."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=60)
    county = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("county"))
    villages = models.ManyToManyField("regions.Region", related_name="grid_zones", verbose_name=_("villages"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class GridRole(models.TextChoices):
    GRID_HEAD = "grid_head", _("Grid head")  # 网格长 (often the party secretary)
    GRID_MANAGER = "grid_manager", _("Grid manager")  # 网格管理员 / 专职网格员
    ASSISTANT = "assistant", _("Grid assistant")  # 网格协管员
    RED_GRID_WORKER = "red_worker", _("Red grid worker")  # 红色网格员 (party member)
    UNIT_HEAD = "unit_head", _("Unit head")  # 单元长
    HOUSEHOLD_HEAD = "household_head", _("Household head")  # 户长


# The grid roles that walk the grid: the visit rules count them.
WALKING_ROLES = (GridRole.GRID_MANAGER, GridRole.ASSISTANT, GridRole.RED_GRID_WORKER)


class Appointment(Filed):
    """A person's post in the grid network. Grid heads hold a people post `grid_head` at the
    grid, the walking roles `grid_worker` at the grid, unit heads `grid_worker` at their unit
    (scope then follows the posts like everyone's); a household head leads one household and
    needs no sign-in."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="grid_appointments",
                               verbose_name=_("person"))
    role = models.CharField(_("grid role"), max_length=16, choices=GridRole.choices, db_index=True)
    post = models.ForeignKey("people.Post", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    household = models.ForeignKey("Household", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="heads", verbose_name=_("household"))
    party_member = models.BooleanField(_("party member"), default=False)
    active = models.BooleanField(_("active"), default=True)
    started_at = models.DateTimeField(_("since"))
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("grid post")
        verbose_name_plural = _("grid posts")
        ordering = ["region__code", "role", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["person", "role", "region"], condition=Q(active=True),
                                    name="grid_uniq_active_appointment"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_role_display()}"


# ---------------------------------------------------------------------------- registries


class Household(Filed):
    """户: a household of the grid (or of a unit in it)."""

    code = models.CharField(_("household number"), max_length=40, unique=True)
    head_name = models.CharField(_("head of household"), max_length=50)
    phone = EncryptedTextField(_("phone"), blank=True)
    phone_index = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    address = models.CharField(_("address"), max_length=200)
    members_count = models.PositiveSmallIntegerField(_("members"), default=1)
    elderly_alone = models.BooleanField(_("elderly living alone"), default=False)  # 独居老人
    disabled = models.BooleanField(_("disabled member"), default=False)  # 残疾人
    left_behind_children = models.BooleanField(_("left-behind children"), default=False)  # 留守儿童
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["code"]
        indexes = [models.Index(fields=["grid", "active"], name="grid_household_grid_active")]

    def __str__(self) -> str:
        return f"{self.code} {self.head_name}"

    def set_phone(self, phone: str) -> None:
        self.phone = phone.strip()
        self.phone_index = blind_index(self.phone)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_head_name(self) -> str:
        return mask_name(self.head_name)

    @property
    def care_flags(self) -> list[str]:
        out = []
        if self.elderly_alone:
            out.append(str(_("elderly living alone")))
        if self.disabled:
            out.append(str(_("disabled member")))
        if self.left_behind_children:
            out.append(str(_("left-behind children")))
        return out


class Member(models.Model):
    """A member of a household, with the ID number and phone encrypted (blind indexes for
    exact lookups)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members",
                                  verbose_name=_("household"))
    name = models.CharField(_("name"), max_length=50)
    relation = models.CharField(_("relation to the head"), max_length=20, blank=True)
    id_number = EncryptedTextField(_("ID number"), blank=True)
    id_number_index = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    phone = EncryptedTextField(_("phone"), blank=True)
    phone_index = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["household_id", "id"]

    def __str__(self) -> str:
        return self.name

    def set_id_number(self, value: str) -> None:
        self.id_number = value.strip().upper()
        self.id_number_index = blind_index(self.id_number)

    def set_phone(self, value: str) -> None:
        self.phone = value.strip()
        self.phone_index = blind_index(self.phone)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)


class FirmKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")  # 企业
    FACTORY = "factory", _("Factory / workshop")  # 工厂车间
    SHOP = "shop", _("Shop / self-employed")  # 个体工商户
    RESTAURANT = "restaurant", _("Restaurant")  # 餐饮
    HAZARDOUS = "hazardous", _("Hazardous goods")  # 危化品
    OTHER = "other", _("Other")


class FirmSize(models.TextChoices):
    MICRO = "micro", _("Micro")
    SMALL = "small", _("Small")
    MEDIUM = "medium", _("Medium")
    LARGE = "large", _("Large")


class Firm(Filed):
    """A firm of the grid (企业, 个体工商户): kind, size, its workers and migrant workers."""

    code = models.CharField(pgettext_lazy("registry", "number"), max_length=40, unique=True)
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=FirmKind.choices)
    size = models.CharField(_("size"), max_length=8, choices=FirmSize.choices)
    employees = models.PositiveIntegerField(_("workers"), default=0)
    migrant_workers = models.PositiveIntegerField(_("migrant workers"), default=0)
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    phone_index = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    address = models.CharField(_("address"), max_length=200)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("firm")
        verbose_name_plural = _("firms")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(migrant_workers__lte=models.F("employees")),
                                   name="grid_firm_migrants_within_workers"),
        ]

    def __str__(self) -> str:
        return self.name

    def set_phone(self, phone: str) -> None:
        self.phone = phone.strip()
        self.phone_index = blind_index(self.phone)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class RentedRoom(Filed):
    """出租房: a rented room or flat, its landlord and tenants (hazard checks: 出租房消防)."""

    code = models.CharField(pgettext_lazy("registry", "number"), max_length=40, unique=True)
    address = models.CharField(_("address"), max_length=200)
    landlord_name = models.CharField(_("landlord"), max_length=50)
    phone = EncryptedTextField(_("landlord's phone"), blank=True)
    phone_index = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="rented_rooms", verbose_name=_("landlord's household"))
    rooms = models.PositiveSmallIntegerField(_("rooms"), default=1)
    tenants = models.PositiveSmallIntegerField(_("tenants"), default=0)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("rented room")
        verbose_name_plural = _("rented rooms")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.address}"

    def set_phone(self, phone: str) -> None:
        self.phone = phone.strip()
        self.phone_index = blind_index(self.phone)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_landlord(self) -> str:
        return mask_name(self.landlord_name)


class PersonalDataRead(models.Model):
    """Every time someone is shown a registry row's personal data unmasked (a household's head
    and phone, its members' ID numbers and phones, a firm's or landlord's phone)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    firm = models.ForeignKey(Firm, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey(RentedRoom, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    via = models.CharField(max_length=20)  # page, api, export
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("personal-data read (grid)")
        verbose_name_plural = _("personal-data reads (grid)")


# ---------------------------------------------------------------------------- field work


class Visit(Filed):
    """走访: a worker's visit to a household or a firm, logged from the phone."""

    client_uuid = models.UUIDField(_("sent as"), unique=True)
    worker = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="grid_visits",
                               verbose_name=_("grid worker"))
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="visits", verbose_name=_("household"))
    firm = models.ForeignKey(Firm, null=True, blank=True, on_delete=models.PROTECT, related_name="visits",
                             verbose_name=_("firm"))
    visited_at = models.DateTimeField(_("visited at"), db_index=True)
    visited_on = models.DateField(_("day"), db_index=True)  # the local day, for the weekly rule
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # Where the phone said it was, against the grid's outline: True inside (within the
    # tolerance), False outside, None when there was no location or the grid has no outline.
    in_grid = models.BooleanField(_("inside the grid"), null=True)
    distance_m = models.PositiveIntegerField(_("metres outside the grid"), null=True, blank=True)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    demand = models.TextField(_("demand raised"), max_length=1000, blank=True)
    event = models.ForeignKey("events.Event", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("event"))
    offline = models.BooleanField(_("kept on the phone first"), default=False)
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_at"]
        constraints = [
            models.CheckConstraint(condition=Q(household__isnull=False) | Q(firm__isnull=False),
                                   name="grid_visit_names_whom"),
        ]
        indexes = [
            models.Index(fields=["household", "visited_at"], name="grid_visit_household_at"),
            models.Index(fields=["firm", "visited_at"], name="grid_visit_firm_at"),
            models.Index(fields=["worker", "visited_on"], name="grid_visit_worker_day"),
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.visited_at:%Y-%m-%d}"


class Photo(models.Model):
    """A photo of a visit or a hazard check; its type is what its bytes show."""

    visit = models.ForeignKey(Visit, null=True, blank=True, on_delete=models.CASCADE, related_name="photos")
    check_record = models.ForeignKey("HazardCheck", null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="photos")
    file = models.FileField(upload_to="grid/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")


class ChecklistKind(models.TextChoices):
    FIRE = "fire", _("Fire safety")  # 消防安全
    RENTED_ROOM = "rented_room", _("Rented rooms")  # 出租房
    PRODUCTION = "production", _("Production safety")  # 安全生产 (firms)


class Checklist(models.Model):
    """A hazard checklist the admin edits (its items below)."""

    kind = models.CharField(_("kind"), max_length=12, choices=ChecklistKind.choices)
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=60)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("hazard checklist")
        verbose_name_plural = _("hazard checklists")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    text = models.CharField(_("item"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["checklist_id", "order", "id"]

    def __str__(self) -> str:
        return self.text


class HazardCheck(Filed):
    """隐患排查: one check of a household, firm or rented room against a checklist."""

    client_uuid = models.UUIDField(_("sent as"), unique=True)
    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="checks",
                                  verbose_name=_("checklist"))
    worker = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="grid_checks",
                               verbose_name=_("grid worker"))
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="hazard_checks", verbose_name=_("household"))
    firm = models.ForeignKey(Firm, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="hazard_checks", verbose_name=_("firm"))
    room = models.ForeignKey(RentedRoom, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="hazard_checks", verbose_name=_("rented room"))
    checked_at = models.DateTimeField(_("checked at"), db_index=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    in_grid = models.BooleanField(_("inside the grid"), null=True)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    offline = models.BooleanField(_("kept on the phone first"), default=False)
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("hazard check")
        verbose_name_plural = _("hazard checks")
        ordering = ["-checked_at"]

    def __str__(self) -> str:
        return f"{self.checklist} {self.checked_at:%Y-%m-%d}"

    @property
    def subject(self):
        return self.household or self.firm or self.room


class FindingStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("hazard status", "Open")  # 待整改
    CLOSED = "closed", pgettext_lazy("hazard status", "Closed")  # 已整改 (a re-check passed)


class Finding(Filed):
    """A failed checklist item: an event naming the item (source hazard_check) and a record
    that a re-check closes (the `hazard` workflow)."""

    check_record = models.ForeignKey(HazardCheck, on_delete=models.CASCADE, related_name="findings")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    item_text = models.CharField(_("item"), max_length=200)  # as it read when checked
    note = models.CharField(_("note"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=FindingStatus.choices,
                              default=FindingStatus.OPEN, db_index=True)
    event = models.ForeignKey("events.Event", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("event"))
    found_at = models.DateTimeField(_("found at"), db_index=True)
    rechecks = models.PositiveSmallIntegerField(_("re-checks"), default=0)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("hazard found")
        verbose_name_plural = _("hazards found")
        ordering = ["-found_at"]

    def __str__(self) -> str:
        return self.item_text


class Publicity(Filed):
    """宣传: a round of publicity with its counts (seed 000: 1,723 firm visits, 16,000 household
    visits, 30,000 leaflets, 1,200 online pushes)."""

    worker = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("grid worker"))
    day = models.DateField(_("day"), db_index=True)
    theme = models.CharField(_("theme"), max_length=100)  # 消防, 普法, 防诈骗 …
    firms_visited = models.PositiveIntegerField(_("firms visited"), default=0)
    households_visited = models.PositiveIntegerField(_("households visited"), default=0)
    leaflets = models.PositiveIntegerField(_("leaflets handed out"), default=0)
    online_pushes = models.PositiveIntegerField(_("online pushes"), default=0)
    sessions = models.PositiveIntegerField(pgettext_lazy("publicity", "sessions"), default=0)  # 场次 / 轮次
    note = models.CharField(_("note"), max_length=300, blank=True)
    # Sent from the phone: the UUID its draft got when opened (a page's log has none).
    client_uuid = models.UUIDField(_("sent as"), null=True, blank=True, unique=True)
    offline = models.BooleanField(_("kept on the phone first"), default=False)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("publicity")
        verbose_name_plural = _("publicity")
        ordering = ["-day", "-id"]

    def __str__(self) -> str:
        return f"{self.day} {self.theme}"


# --------------------------------------------------------------------- mass prevention


class TeamKind(models.TextChoices):
    RED_ARMBAND = "red_armband", pgettext_lazy("team kind", "Red-armband patrol")  # 红袖标
    PARTY = "party", pgettext_lazy("team kind", "Party-member volunteers")  # 党员志愿者
    POLICE_CIVIL = "police_civil", pgettext_lazy("team kind", "Police–citizen joint team")  # 警民联防
    PROPERTY = "property", pgettext_lazy("team kind", "Property and security staff")  # 物业保安
    ELDERS = "elders", pgettext_lazy("team kind", "Elders' association")  # 老协会
    PROFESSIONAL = "professional", pgettext_lazy("team kind", "Lawyers and professionals")  # 律师等


class Team(Filed):
    """群防群治队伍 (seed 003: 6 kinds, 133 teams, 4,972 volunteers)."""

    name = models.CharField(pgettext_lazy("thing", "name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=14, choices=TeamKind.choices)
    leader = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("leader"))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("mass-prevention team")
        verbose_name_plural = _("mass-prevention teams")
        ordering = ["region__code", "name"]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("name"), max_length=50)
    phone = EncryptedTextField(_("phone"), blank=True)
    phone_index = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    active = models.BooleanField(_("active"), default=True)
    joined_at = models.DateTimeField()

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["team_id", "id"]

    def __str__(self) -> str:
        return self.name

    def set_phone(self, phone: str) -> None:
        self.phone = phone.strip()
        self.phone_index = blind_index(self.phone)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class DutyShift(models.Model):
    """One shift of a team's duty roster (排班)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="shifts")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    members = models.ManyToManyField(TeamMember, related_name="shifts", verbose_name=_("on duty"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty roster")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="grid_shift_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.starts_at:%Y-%m-%d %H:%M}"


class Patrol(Filed):
    """巡防: a patrol log with its route (a list of [latitude, longitude] points)."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="patrols")
    shift = models.ForeignKey(DutyShift, null=True, blank=True, on_delete=models.SET_NULL, related_name="patrols")
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"))
    members_count = models.PositiveSmallIntegerField(_("patrollers"), default=1)
    route = models.JSONField(_("route"), default=list)
    distance_m = models.PositiveIntegerField(_("distance (m)"), default=0)
    findings = models.CharField(pgettext_lazy("patrol", "what was found"), max_length=500, blank=True)
    logged_by = models.ForeignKey("people.Person", null=True, on_delete=models.SET_NULL, related_name="+")
    # Sent from the phone (the route recorded on it while the patrol ran): its draft's UUID.
    client_uuid = models.UUIDField(_("sent as"), null=True, blank=True, unique=True)
    offline = models.BooleanField(_("kept on the phone first"), default=False)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("patrol")
        verbose_name_plural = _("patrols")
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ended_at__gt=models.F("started_at")), name="grid_patrol_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.started_at:%Y-%m-%d}"


class ImportRun(models.Model):
    """A spreadsheet of households, firms or rented rooms, imported all or nothing (progress in the task
    queue's store, `grid.progress`)."""

    class Kind(models.TextChoices):
        HOUSEHOLDS = "households", _("Households")
        FIRMS = "firms", _("Firms")
        ROOMS = "rooms", _("Rented rooms")

    class State(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("grid import", "Queued")
        RUNNING = "running", pgettext_lazy("grid import", "Running")
        DONE = "done", pgettext_lazy("grid import", "Imported")
        FAILED = "failed", pgettext_lazy("grid import", "Refused")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    file = models.FileField(upload_to="grid-imports/")
    file_name = models.CharField(max_length=200)
    within = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("registry import")
        verbose_name_plural = _("registry imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name
