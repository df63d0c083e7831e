"""Stationing pages (full paths)."""

from django.urls import path

from fengqiao.stationing import views

urlpatterns = [
    path("stationing/", views.plan_list, name="stationing_list"),
    path("stationing/plans/new/", views.plan_new, name="stationing_plan_new"),
    path("stationing/stations/new/", views.station_new, name="stationing_station_new"),
    path("stationing/plans/<int:plan_id>/", views.plan_detail, name="stationing_plan"),
    path("stationing/plans/<int:plan_id>/end", views.plan_end, name="stationing_plan_end"),
    path("stationing/stations/<int:station_id>/", views.station_detail, name="stationing_station"),
    path("stationing/stations/<int:station_id>/end", views.station_end, name="stationing_station_end"),
    path("stationing/checkin/", views.checkin_page, name="stationing_checkin"),
    path("stationing/checkin/<int:plan_id>/arrive", views.checkin_arrive, name="stationing_arrive"),
    path("stationing/stays/<int:stay_id>/depart", views.checkin_depart, name="stationing_depart"),
    path("stationing/compliance/", views.ranking_page, name="stationing_ranking"),
    path("stationing/compliance.xlsx", views.ranking_export, name="stationing_ranking_export"),
]
