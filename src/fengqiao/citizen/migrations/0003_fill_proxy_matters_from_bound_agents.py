"""The matters proxy agents registered before agencies were kept: one `ProxyOrder` each, for the
agent bound to it at registration (role proxy_agent), with no agency (none existed), filed under
the event's region. Batched; no app code imported."""

from django.db import migrations

BATCH = 2000
LEVELS = ("province", "city", "county", "town", "village", "grid")


def forwards(apps, schema_editor):
    Assignment = apps.get_model("events", "Assignment")
    ProxyOrder = apps.get_model("citizen", "ProxyOrder")
    done = set(ProxyOrder.objects.values_list("event_id", flat=True))
    bindings = (Assignment.objects.filter(role="proxy_agent", event__source="proxy")
                .order_by("event_id", "created_at", "id")
                .values_list("event_id", "person_id", "event__created_at", "event__region_id",
                             *[f"event__{lv}_id" for lv in LEVELS]))
    batch = []
    for event_id, person_id, created_at, region_id, *ancestors in bindings.iterator(chunk_size=BATCH):
        if event_id in done:
            continue
        done.add(event_id)
        batch.append(ProxyOrder(event_id=event_id, agent_id=person_id, agency_id=None, taken_at=created_at,
                                region_id=region_id,
                                **{f"{lv}_id": v for lv, v in zip(LEVELS, ancestors, strict=True)}))
        if len(batch) >= BATCH:
            ProxyOrder.objects.bulk_create(batch)
            batch = []
    if batch:
        ProxyOrder.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("citizen", "0002_proxy_agencies_agents_and_matters"),
        ("events", "0008_calendar_moved_to_workflow_app"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
