"""Only the JSON API: the feed tests do not depend on the pages of apps still being written."""

from django.urls import path

from fengqiao.config.api import api

urlpatterns = [path("api/v1/", api.urls)]
