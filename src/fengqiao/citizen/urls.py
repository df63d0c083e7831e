"""Citizen channels: the public report and tracking pages, proxy agents, grid field reports."""

from django.urls import path

from fengqiao.citizen import views

urlpatterns = [
    path("report/", views.report_page, name="citizen_report"),
    path("track/", views.track_lookup, name="citizen_track_lookup"),
    path("track/<str:code>/", views.track_page, name="citizen_track"),
    path("track/<str:code>/rate", views.rate, name="citizen_rate"),
    path("proxy/", views.proxy_worklist, name="proxy_worklist"),
    path("proxy/new/", views.proxy_new, name="proxy_new"),
    path("field/report/", views.field_report, name="field_report"),
]
