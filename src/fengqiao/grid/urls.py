from django.urls import path

from fengqiao.grid import views

urlpatterns = [
    path("grid/", views.home, name="grid_home"),
    path("grid/households/", views.households, name="grid_households"),
    path("grid/households/new/", views.household_form, name="grid_household_new"),
    path("grid/households/<int:household_id>/", views.household_detail, name="grid_household"),
    path("grid/households/<int:household_id>/edit/", views.household_form, name="grid_household_edit"),
    path("grid/households/<int:household_id>/members/", views.member_add, name="grid_member_add"),
    path("grid/firms/", views.firms, name="grid_firms"),
    path("grid/firms/new/", views.firm_form, name="grid_firm_new"),
    path("grid/import/", views.import_page, name="grid_import"),
    path("grid/import/<int:run_id>/", views.import_run, name="grid_import_run"),
    path("grid/compliance/", views.compliance, name="grid_compliance"),
    path("grid/overdue/", views.overdue, name="grid_overdue"),
    path("grid/coverage/", views.coverage, name="grid_coverage"),
    path("grid/map/", views.map_page, name="grid_map"),
    path("grid/hazards/", views.hazards, name="grid_hazards"),
    path("grid/hazards/<int:finding_id>/recheck/", views.finding_recheck, name="grid_finding_recheck"),
    path("grid/publicity/", views.publicity, name="grid_publicity"),
    path("grid/teams/", views.teams, name="grid_teams"),
    path("grid/teams/<int:team_id>/", views.team_detail, name="grid_team"),
    path("grid/zones/", views.zones, name="grid_zones"),
    path("grid/posts/", views.posts, name="grid_posts"),
    path("grid/rules/", views.rules, name="grid_rules"),
    path("grid/app/", views.app_page, name="grid_app"),
    path("grid/app.webmanifest", views.manifest, name="grid_app_manifest"),
    path("grid-sw.js", views.service_worker, name="grid_service_worker"),
]
