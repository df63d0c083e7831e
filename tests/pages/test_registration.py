"""一窗受理: the registration form, its errors and its success; the region picker."""

from fengqiao.events.models import Event, Status


def _form(world, **overrides):
    data = {
        "title": "洋坂村柯某与吴某工资纠纷",
        "description": "柯某称老板吴某拖欠三个月工资",
        "category": "dispute.wages",
        "source": "walk_in",
        "dispute_source": "",
        "address": "度尾镇洋坂村3组",
        "region": [world.county.code, world.town.code, world.village_a.code, world.village_a.code],
        "latitude": "",
        "longitude": "",
        "parties-TOTAL_FORMS": "2",
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "1",
        "parties-MAX_NUM_FORMS": "20",
        "parties-0-name": "柯某",
        "parties-0-phone": "13912345678",
        "parties-0-id_number": "350322199001011234",
        "parties-0-is_reporter": "on",
        "parties-1-name": "",
        "parties-1-phone": "",
        "parties-1-id_number": "",
    }
    data.update(overrides)
    return data


def test_the_form_renders_with_grouped_categories_and_the_picker(world, as_user):
    html = as_user(world.operator).get("/events/new/").content.decode()
    assert '<optgroup label="矛盾纠纷">' in html
    assert 'value="dispute.wages"' in html
    # The operator's one root (the county) is chosen; its towns are offered next.
    assert f'<option value="{world.county.code}" selected>' in html
    assert f'value="{world.town.code}"' in html and f'value="{world.other_town.code}"' in html
    assert 'name="parties-0-name"' in html and 'id="party-template"' in html


def test_registering_through_the_form_dispatches_to_the_village(world, as_user):
    r = as_user(world.operator).post("/events/new/", _form(world))
    assert r.status_code == 302
    event = Event.objects.get()
    assert r["Location"] == f"/events/{event.id}/"
    assert event.status == Status.DISPATCHED and event.village_id == world.village_a.id
    assert event.created_by == world.operator.user
    party = event.parties.get()
    assert party.name == "柯某" and party.phone == "13912345678" and party.is_reporter


def test_missing_fields_are_form_errors(world, as_user):
    r = as_user(world.operator).post("/events/new/", _form(world, title="", category="", region=""))
    assert r.status_code == 400
    html = r.content.decode()
    assert html.count("这个字段是必填项") >= 3
    assert Event.objects.count() == 0


def test_a_bad_id_number_comes_back_on_the_party_row(world, as_user):
    r = as_user(world.operator).post("/events/new/", _form(world, **{"parties-0-id_number": "350322199001011235"}))
    assert r.status_code == 400
    html = r.content.decode()
    assert "身份证号码无效" in html
    assert Event.objects.count() == 0


def test_a_party_row_with_a_phone_needs_a_name(world, as_user):
    r = as_user(world.operator).post("/events/new/", _form(world, **{"parties-1-phone": "13900000000"}))
    assert r.status_code == 400
    assert Event.objects.count() == 0


def test_half_a_coordinate_is_an_error(world, as_user):
    r = as_user(world.operator).post("/events/new/", _form(world, latitude="25.4"))
    assert r.status_code == 400
    assert "纬度和经度" in r.content.decode()


def test_a_secretary_cannot_register_into_another_village(world, as_user):
    r = as_user(world.secretary_a).post("/events/new/", _form(world, region=world.village_b.code))
    assert r.status_code == 400
    assert "请在您的辖区内选择" in r.content.decode()
    assert Event.objects.count() == 0


def test_a_secretary_registers_in_their_own_village(world, as_user):
    r = as_user(world.secretary_a).post("/events/new/", _form(world, region=[world.village_a.code, world.village_a.code]))
    assert r.status_code == 302
    assert Event.objects.get().village_id == world.village_a.id


def test_the_picker_lists_children_within_scope(world, as_user):
    client = as_user(world.operator)
    html = client.get("/regions/picker", {"name": "region", "region": world.town.code}).content.decode()
    assert f'<option value="{world.town.code}" selected>' in html
    assert f'value="{world.village_a.code}"' in html and f'value="{world.village_b.code}"' in html
    assert f'value="{world.village_c.code}"' not in html
    # A secretary asking for another village's region gets only their own roots.
    html = as_user(world.secretary_a).get("/regions/picker", {"name": "region", "region": world.village_c.code}).content.decode()
    assert world.village_c.code not in html
    assert f'<option value="{world.village_a.code}" selected>' in html
    assert f'value="{world.grid_a.code}"' in html


def test_someone_without_a_post_cannot_register(world, client, django_user_model):
    user = django_user_model.objects.create_user("nobody", password="x-12345678")
    client.force_login(user)
    assert client.get("/events/new/").status_code == 403
