"""Command centre pages (full paths)."""

from django.urls import path

from fengqiao.command import views, views_figures

urlpatterns = [
    path("command/", views.dashboard, name="command_dashboard"),
    path("command/rankings/", views.rankings, name="command_rankings"),
    path("command/rankings.xlsx", views.rankings_export, name="command_rankings_export"),
    path("command/events/", views.cohort, name="command_events"),
    path("command/overdue/<int:event_id>/urge", views.overdue_urge, name="command_overdue_urge"),
    path("command/overdue/<int:event_id>/call", views.overdue_call, name="command_overdue_call"),
    path("command/campaigns/", views.campaign_list, name="command_campaigns"),
    path("command/campaigns/<int:campaign_id>/", views.campaign_detail, name="command_campaign"),
    path("command/screen/", views.screen, name="command_screen"),
    path("command/proxy/", views_figures.proxy_page, name="command_proxy"),
    path("command/proxy.xlsx", views_figures.proxy_export, name="command_proxy_export"),
    path("command/sources/", views_figures.sources_page, name="command_sources"),
    path("command/sources.xlsx", views_figures.sources_export, name="command_sources_export"),
    path("command/mediation/", views_figures.mediation_page, name="command_mediation"),
    path("command/mediation.xlsx", views_figures.mediation_export, name="command_mediation_export"),
    path("command/petitions/", views_figures.petitions_page, name="command_petitions"),
    path("command/petitions.xlsx", views_figures.petitions_export, name="command_petitions_export"),
]
