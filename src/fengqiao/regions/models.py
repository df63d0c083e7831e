"""Places: the NBS division tree (province → village) and the platform's own levels below it.

Every region carries its ancestors as columns (`province`, `city`, `county`, `town`, `village`,
`grid`), each pointing at itself for its own level. "All regions (or events) under X" is then one
indexed equality, `{X.level}_id = X.id`, on SQLite and PostgreSQL alike — never a walk in Python.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Level(models.TextChoices):
    PROVINCE = "province", pgettext_lazy("region level", "Province")
    CITY = "city", pgettext_lazy("region level", "City")
    COUNTY = "county", pgettext_lazy("region level", "County")
    TOWN = "town", pgettext_lazy("region level", "Town")
    VILLAGE = "village", pgettext_lazy("region level", "Village")
    GRID = "grid", pgettext_lazy("region level", "Grid")
    UNIT = "unit", pgettext_lazy("region level", "Unit")


LEVEL_ORDER = [lv.value for lv in Level]
# Levels that have an ancestor column on regions and events.
ANCESTOR_LEVELS = ["province", "city", "county", "town", "village", "grid"]


class VillageCategory(models.TextChoices):
    REASSURING = "reassuring", _("Reassuring")  # 放心
    GOOD = "good", _("Good")  # 较好
    AVERAGE = "average", _("Average")  # 一般
    LAGGING = "lagging", _("Lagging")  # 滞后


def _ancestor(level: str):
    return models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=True,
        verbose_name=Level(level).label,
    )


class Region(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, db_index=True)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
        verbose_name=_("parent"),
    )
    province = _ancestor("province")
    city = _ancestor("city")
    county = _ancestor("county")
    town = _ancestor("town")
    village = _ancestor("village")
    grid = _ancestor("grid")
    village_category = models.CharField(
        _("village category"), max_length=12, choices=VillageCategory.choices, blank=True
    )
    # Seed 004's villages: a point for maps; polygons come with the grid import.
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    edition = models.CharField(_("edition"), max_length=10, blank=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "code"], name="region_parent_code")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def is_active(self) -> bool:
        return self.retired_at is None

    def ancestor_ids(self) -> dict[str, int | None]:
        return {lv: getattr(self, f"{lv}_id") for lv in ANCESTOR_LEVELS}

    def set_ancestors_from(self, parent: Region | None) -> None:
        """Fill the ancestor columns from the parent's (call before the first save)."""
        for lv in ANCESTOR_LEVELS:
            setattr(self, f"{lv}_id", getattr(parent, f"{lv}_id") if parent else None)
        if self.level in ANCESTOR_LEVELS and self.pk:
            setattr(self, f"{self.level}_id", self.pk)

    def lineage(self) -> list[Region]:
        """Ancestors from the top down, ending with self."""
        ids = [i for i in self.ancestor_ids().values() if i]
        found = {r.id: r for r in Region.objects.filter(id__in=ids)}
        chain = [found[i] for i in ids if i in found and i != self.id]
        return [*chain, self]

    def subtree_kwargs(self, *, self_field: str = "id") -> dict:
        """Filter kwargs selecting rows under this region, itself included.

        Works on any model with the ancestor columns: `Region.objects.filter(**r.subtree_kwargs())`,
        `Event.objects.filter(**r.subtree_kwargs(self_field="region_id"))`.
        """
        if self.level == Level.UNIT:
            return {self_field: self.id}
        return {f"{self.level}_id": self.id}

    def is_ancestor_of(self, other: Region) -> bool:
        """True when `other` lies in this region's subtree (including itself)."""
        if self.id == other.id:
            return True
        if self.level == Level.UNIT:
            return False
        return getattr(other, f"{self.level}_id") == self.id


class RegionShape(models.Model):
    """A region's outline (a grid's polygon, a village's or town's — imported or derived).

    Stored as WKB with its bounding box and centroid, so the map can ask for shapes inside a
    view and the point lookup can build its STRtree without parsing GeoJSON. Longitude/latitude
    in WGS 84 (GeoJSON order: x = longitude, y = latitude)."""

    class Origin(models.TextChoices):
        IMPORTED = "imported", _("Imported")
        DERIVED = "derived", _("Derived from the levels below")
        SYNTHETIC = "synthetic", _("Synthetic (demo)")

    region = models.OneToOneField(
        Region, on_delete=models.CASCADE, primary_key=True, related_name="shape",
        verbose_name=_("region"),
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, db_index=True)
    wkb = models.BinaryField()
    min_lng = models.FloatField()
    min_lat = models.FloatField()
    max_lng = models.FloatField()
    max_lat = models.FloatField()
    centroid_lng = models.FloatField()
    centroid_lat = models.FloatField()
    area_km2 = models.FloatField(default=0)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices)
    updated_at = models.DateTimeField(_("updated at"), db_index=True)

    class Meta:
        verbose_name = _("region shape")
        verbose_name_plural = _("region shapes")

    def __str__(self) -> str:
        return f"{self.region_id} ({self.level})"

    def geometry(self):
        import shapely

        return shapely.from_wkb(bytes(self.wkb))


class RegionsVersion(models.Model):
    """One row (id 1) counting the writes that change what addresses match: names, short names,
    aliases, levels, retirement, new regions. Every such write bumps it in its own transaction
    (`bump_regions_version`), so another process sees a change with one primary-key read instead of
    a scan of the region table (see regions/locate.py)."""

    version = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("regions version")
        verbose_name_plural = _("regions version")

    def __str__(self) -> str:
        return f"regions v{self.version}"


def bump_regions_version() -> None:
    """Record that the regions' names or shape changed (call inside the writing transaction)."""
    from django.db import transaction
    from django.db.models import F
    from django.utils import timezone

    now = timezone.now()
    if not RegionsVersion.objects.filter(pk=1).update(version=F("version") + 1, changed_at=now):
        RegionsVersion.objects.create(pk=1, version=1, changed_at=now)
    from fengqiao.regions import locate  # this process's matcher: stale at once and after commit

    locate.invalidate()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(locate.invalidate)
