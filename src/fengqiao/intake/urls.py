"""Intake pages: the registration desk (一窗受理)."""

from django.urls import path

from fengqiao.intake import views

urlpatterns = [
    path("events/new/", views.event_new, name="event_new"),
]
