import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fengqiao.people.models import Role
from tests.factories import make_person

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 200
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 300


def png(name="photo.png", data=PNG, content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def jpeg(name="photo.jpg", data=JPEG):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


@pytest.fixture(autouse=True)
def citizen_settings(settings, tmp_path):
    """Files go to a fresh media root (so a test can see that none was written); the public page
    serves Xianyou; generous limits unless a test lowers them."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.FENGQIAO_PUBLIC_COUNTY = "350322"
    settings.FENGQIAO_MAP_TILES = ""
    settings.FENGQIAO_CITIZEN_REPORTS_PER_HOUR_PER_IP = 50
    settings.FENGQIAO_CITIZEN_REPORTS_PER_HOUR_PER_PHONE = 50
    settings.FENGQIAO_SITE_URL = "https://fq.example.gov.cn"
    return settings


@pytest.fixture
def media_files(settings):
    """The files under the media root now."""
    from pathlib import Path

    def files():
        root = Path(settings.MEDIA_ROOT)
        return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []

    return files


@pytest.fixture
def proxy_agent(world):
    return make_person("郑代办", Role.PROXY_AGENT, world.town, login="proxy", phone="13900000020")


@pytest.fixture
def grid_worker(world):
    return make_person("陈网格员", Role.GRID_WORKER, world.grid_a, login="gridworker", phone="13900000021")


def citizen_form(**overrides):
    data = {
        "category": "hazard.fire",
        "description": "洋坂村3组老街的电线私拉乱接,晚上有火花,担心起火。",
        "address": "度尾镇洋坂村3组老街12号",
        "latitude": "",
        "longitude": "",
        "phone": "13812345678",
        "name": "林女士",
    }
    data.update(overrides)
    return data
