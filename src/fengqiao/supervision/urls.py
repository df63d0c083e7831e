"""Supervision pages (full paths)."""

from django.urls import path

from fengqiao.supervision import views

urlpatterns = [
    path("supervision/records/", views.record_list, name="supervision_records"),
    path("supervision/records/new/", views.record_new, name="supervision_record_new"),
    path("supervision/records/<int:record_id>/", views.record_detail, name="supervision_record"),
    path("supervision/pairings/", views.pairing_list, name="supervision_pairings"),
    path("supervision/pairings/<int:pairing_id>/end", views.pairing_stop, name="supervision_pairing_end"),
    path("supervision/paired/", views.paired_villages, name="supervision_paired_villages"),
    path("supervision/categories/", views.categories, name="supervision_categories"),
    path("supervision/categories/<str:code>/confirm", views.category_confirm, name="supervision_category_confirm"),
    path("supervision/bulletins/", views.bulletins, name="supervision_bulletins"),
    path("supervision/bulletins/<int:run_id>/", views.bulletin_status, name="supervision_bulletin"),
    path("supervision/bulletins/<int:run_id>/<slug:kind>", views.bulletin_file, name="supervision_bulletin_file"),
    path("supervision/ledger/", views.ledger, name="supervision_ledger"),
    path("supervision/ledger.xlsx", views.ledger_export, name="supervision_ledger_export"),
    # On the command centre's pages; written through supervision.actions.campaign_create.
    path("command/campaigns/new/", views.campaign_new, name="command_campaign_new"),
]
