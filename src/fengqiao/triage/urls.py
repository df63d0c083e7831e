"""Triage: pages."""

from django.urls import path

from fengqiao.triage import views

urlpatterns = [
    path("triage/", views.queue, name="triage_queue"),
    path("triage/<int:item_id>/", views.item_page, name="triage_item"),
    path("triage/<int:item_id>/dispatch", views.item_dispatch, name="triage_dispatch"),
    path("triage/<int:item_id>/category", views.item_category, name="triage_category"),
    path("triage/<int:item_id>/twin", views.item_twin, name="triage_twin"),
]
