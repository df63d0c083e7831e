"""The interface speaks Chinese by default and English after the switch."""

from tests.factories import register


def test_default_language_is_chinese(world, as_user):
    html = as_user(world.operator).get("/").content.decode()
    assert '<html lang="zh-CN">' in html
    assert "工作台" in html and "退出" in html


def test_switching_to_english_shows_english(world, as_user):
    event = register(world)
    client = as_user(world.secretary_a)
    r = client.post("/i18n/setlang/", {"language": "en", "next": f"/events/{event.id}/"})
    assert r.status_code == 302 and r["Location"] == f"/events/{event.id}/"
    html = client.get(f"/events/{event.id}/").content.decode()
    assert '<html lang="en">' in html
    assert "Dispatched" in html and "Acknowledge" in html and "Timeline" in html
    assert "待签收" not in html
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "待签收" in client.get(f"/events/{event.id}/").content.decode()


def test_domain_errors_appear_in_english_after_the_switch(world, as_user):
    event = register(world)
    client = as_user(world.operator)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    r = client.post(f"/events/{event.id}/act/close")
    assert r.status_code == 409
    assert "is not allowed when the event is dispatched" in r.content.decode()


def test_header_shows_name_posts_and_unread_count(world, as_user):
    register(world)  # dispatching notifies the village's three
    html = as_user(world.secretary_a).get("/").content.decode()
    assert "柯书记" in html and "村党组织书记 · 洋坂村<" in html
    assert 'data-testid="unread">1<' in html


def test_inbox_lists_notifications(world, as_user):
    event = register(world)
    html = as_user(world.secretary_a).get("/inbox/").content.decode()
    assert f"/events/{event.id}/" in html and "待签收" in html


def test_an_english_browser_still_gets_chinese_until_the_user_switches(world, client):
    client.force_login(world.operator.user)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-CN">' in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="en">' in html
