"""The petition pages (信访): worklist, leader's list, ledger and export, registration, the
petition page and its actions and notices, the backlog by 四个一批, the figures."""

from django.urls import path

from fengqiao.petitions import views

urlpatterns = [
    path("petitions/", views.worklist_page, name="petition_worklist"),
    path("petitions/leader/", views.leader_page, name="petition_leader"),
    path("petitions/ledger/", views.ledger_page, name="petition_ledger"),
    path("petitions/ledger.xlsx", views.export_ledger, name="petition_export"),
    path("petitions/new/", views.register_page, name="petition_new"),
    path("petitions/backlog/", views.backlog_page, name="petition_backlog"),
    path("petitions/figures/", views.figures_page, name="petition_figures"),
    path("petitions/<int:petition_id>/", views.petition_detail, name="petition_detail"),
    path("petitions/<int:petition_id>/act/<slug:action>", views.petition_act, name="petition_act"),
    path("petitions/<int:petition_id>/notices/<int:document_id>.docx", views.document_download,
         name="petition_document"),
]
