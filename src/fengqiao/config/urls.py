from django.contrib import admin
from django.urls import include, path

from fengqiao.config.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Each app's urls.py names its own paths in full.
    path("", include("fengqiao.intake.urls")),
    path("", include("fengqiao.citizen.urls")),
    path("", include("fengqiao.open311.urls")),
    path("", include("fengqiao.imports.urls")),
    path("", include("fengqiao.mediation.urls")),
    path("", include("fengqiao.petitions.urls")),
    path("", include("fengqiao.majors.urls")),
    path("", include("fengqiao.stationing.urls")),
    path("", include("fengqiao.triage.urls")),
    path("", include("fengqiao.grid.urls")),
    path("", include("fengqiao.incentives.urls")),
    path("", include("fengqiao.command.urls")),
    path("", include("fengqiao.command.majors_urls")),
    path("", include("fengqiao.supervision.urls")),
    path("", include("fengqiao.events.urls")),
]
