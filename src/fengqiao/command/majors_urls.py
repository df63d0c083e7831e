"""The command centre's page of listed major matters and stationed cadres (mounted by config/urls.py)."""

from django.urls import path

from fengqiao.command import majors_views

urlpatterns = [
    path("command/majors/", majors_views.majors_page, name="command_majors"),
]
