"""Spreadsheet imports: pages."""

from django.urls import path

from fengqiao.imports import views

urlpatterns = [
    path("imports/", views.imports_home, name="imports"),
    path("imports/<int:run_id>/", views.import_detail, name="import_detail"),
    path("imports/<int:run_id>/mapping/", views.import_mapping, name="import_mapping"),
    path("imports/<int:run_id>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:run_id>/import/", views.import_start, name="import_start"),
    path("imports/<int:run_id>/report.xlsx", views.import_report, name="import_report"),
]
