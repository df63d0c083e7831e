import json
import xml.etree.ElementTree as ET

import pytest

from fengqiao.intake.actions import intake_system_create


@pytest.fixture
def citizen_app(world):
    """A citizen-reporting app (群众随手拍) serving 仙游县, holding an Open311 key (`.key`)."""
    system, key = intake_system_create(name="仙游随手拍", source="citizen", within=world.county, actor=None)
    system.key = key
    return system


@pytest.fixture
def other_app(world):
    system, key = intake_system_create(name="另一个应用", source="online_opinion", within=world.county, actor=None)
    system.key = key
    return system


class Open311Client:
    """o311.get("services.json", status=…) / o311.post("requests.xml", {...}) → response;
    o311.body(response) → parsed JSON, or the XML root element."""

    def __init__(self, client):
        self.client = client

    def get(self, path: str, **params):
        return self.client.get(f"/open311/v2/{path}", params)

    def post(self, path: str, data=None, *, content_type=None, **headers):
        if content_type is None:
            return self.client.post(f"/open311/v2/{path}", data or {}, **headers)  # multipart form
        if content_type == "application/x-www-form-urlencoded" and isinstance(data, dict):
            from urllib.parse import urlencode

            data = urlencode(data, doseq=True)
        elif content_type == "application/json" and not isinstance(data, (str, bytes)):
            data = json.dumps(data, ensure_ascii=False)
        return self.client.generic("POST", f"/open311/v2/{path}", data, content_type=content_type, **headers)

    @staticmethod
    def body(response):
        if response["Content-Type"].startswith("application/json"):
            return json.loads(response.content)
        assert response["Content-Type"].startswith("text/xml"), response["Content-Type"]
        assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
        return ET.fromstring(response.content)

    @classmethod
    def errors(cls, response) -> list[tuple[int, str]]:
        body = cls.body(response)
        if isinstance(body, list):
            return [(e["code"], e["description"]) for e in body]
        assert body.tag == "errors"
        return [(int(e.findtext("code")), e.findtext("description")) for e in body.findall("error")]


@pytest.fixture
def o311(client):
    return Open311Client(client)
