"""The people admin: masked phones in lists, search by phone, tokens issued and revoked."""

from __future__ import annotations

from fengqiao.audit.models import AuditEntry
from fengqiao.people.models import ApiToken, Person


def test_the_people_list_shows_phones_masked(admin_client, world):
    body = admin_client.get("/admin/people/person/").content.decode()
    assert "139****0005" in body
    assert "13900000005" not in body


def test_a_person_is_found_by_phone(admin_client, world):
    body = admin_client.get("/admin/people/person/", {"q": "13900000010"}).content.decode()
    assert "蔡书记" in body and "柯书记" not in body


def test_the_person_page_has_the_posts_inline(admin_client, world):
    body = admin_client.get(f"/admin/people/person/{world.secretary_a.pk}/change/").content.decode()
    assert "posts-TOTAL_FORMS" in body


def test_changing_a_phone_in_the_admin_keeps_the_blind_index(admin_client, world):
    person = world.secretary_b
    r = admin_client.post(f"/admin/people/person/{person.pk}/change/", {
        "name": person.name, "phone": "13800009999", "user": person.user_id, "active": "on",
        "posts-TOTAL_FORMS": "0", "posts-INITIAL_FORMS": "0",
    })
    assert r.status_code == 302, r.content.decode()[:2000]
    body = admin_client.get("/admin/people/person/", {"q": "13800009999"}).content.decode()
    assert "蔡书记" in body
    assert Person.objects.get(pk=person.pk).phone == "13800009999"


def test_registry_lists_load(admin_client, world):
    for url in ("/admin/people/department/", "/admin/people/post/", "/admin/people/apitoken/",
                "/admin/events/category/", "/admin/events/deadlinepolicy/",
                "/admin/workflow/calendarday/", "/admin/workflow/clockpolicy/",
                "/admin/people/post/?q=洋坂"):
        assert admin_client.get(url).status_code == 200, url


def test_a_token_added_in_the_admin_is_shown_once_and_stored_as_a_digest(admin_client, world):
    r = admin_client.post(
        "/admin/people/apitoken/add/", {"user": world.operator.user.pk, "name": "12345"}, follow=True
    )
    assert r.status_code == 200
    token = ApiToken.objects.get()
    shown = [str(m) for m in r.context["messages"]]
    raw = next(word for m in shown for word in m.split() if word.startswith("fq_"))
    assert ApiToken.digest_of(raw) == token.digest
    assert AuditEntry.objects.filter(action="issue_api_token").count() == 1
    page = admin_client.get(f"/admin/people/apitoken/{token.pk}/change/").content.decode()
    assert token.digest in page and raw not in page


def test_revoking_tokens_in_the_admin_goes_through_the_action(admin_client, world):
    from fengqiao.people.actions import api_token_issue

    token, _ = api_token_issue(user=world.operator.user, actor=None)
    r = admin_client.post("/admin/people/apitoken/", {
        "action": "revoke", "_selected_action": [token.pk],
    })
    assert r.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEntry.objects.filter(action="revoke_api_token").count() == 1


def test_the_category_list_is_a_tree(admin_client, world):
    body = admin_client.get("/admin/events/category/").content.decode()
    assert "矛盾纠纷" in body and "\u3000└ 劳资纠纷" in body
