"""Citizen channels: the public report and tracking pages, proxy agents and their agencies, grid
field reports."""

from django.urls import path

from fengqiao.citizen import views

urlpatterns = [
    path("report/", views.report_page, name="citizen_report"),
    path("track/", views.track_lookup, name="citizen_track_lookup"),
    path("track/<str:code>/", views.track_page, name="citizen_track"),
    path("track/<str:code>/rate", views.rate, name="citizen_rate"),
    path("proxy/", views.proxy_worklist, name="proxy_worklist"),
    path("proxy/new/", views.proxy_new, name="proxy_new"),
    path("proxy/agencies/", views.agency_list, name="proxy_agencies"),
    path("proxy/agencies/new/", views.agency_new, name="proxy_agency_new"),
    path("proxy/agencies/<int:agency_id>/", views.agency_detail, name="proxy_agency"),
    path("proxy/agencies/<int:agency_id>/edit/", views.agency_edit, name="proxy_agency_edit"),
    path("proxy/agencies/<int:agency_id>/appoint", views.agency_appoint, name="proxy_agency_appoint"),
    path("proxy/agencies/<int:agency_id>/agents/<int:membership_id>/release", views.agency_release,
         name="proxy_agency_release"),
    path("field/report/", views.field_report, name="field_report"),
]
