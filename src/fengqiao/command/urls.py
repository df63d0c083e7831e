"""Command centre pages (full paths)."""

from django.urls import path

from fengqiao.command import views

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
]
