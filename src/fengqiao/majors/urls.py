"""Major-matter pages (full paths)."""

from django.urls import path

from fengqiao.majors import views

urlpatterns = [
    path("majors/", views.matter_list, name="majors_list"),
    path("majors/new/", views.matter_new, name="majors_new"),
    path("majors/closing/", views.closing_queue, name="majors_closing"),
    path("majors/ledger.xlsx", views.ledger_export, name="majors_ledger"),
    path("majors/progress.docx", views.progress_export, name="majors_progress"),
    path("majors/<int:matter_id>/", views.matter_detail, name="majors_detail"),
    path("majors/<int:matter_id>/act/<str:action>", views.matter_act, name="majors_act"),
    path("majors/<int:matter_id>/assessment/", views.assessment_page, name="majors_assessment"),
    path("majors/<int:matter_id>/assessment/act/<str:op>", views.assessment_act, name="majors_assessment_act"),
    path("majors/<int:matter_id>/assessment.docx", views.assessment_docx, name="majors_assessment_docx"),
    path("majors/<int:matter_id>/milestones/<int:milestone_id>/act/<str:action>", views.milestone_act,
         name="majors_milestone_act"),
    path("majors/<int:matter_id>/milestones/<int:milestone_id>/remove", views.milestone_remove,
         name="majors_milestone_remove"),
    path("majors/<int:matter_id>/team/<int:member_id>/remove", views.member_remove, name="majors_member_remove"),
    path("majors/<int:matter_id>/evidence/<int:evidence_id>", views.evidence_download, name="majors_evidence"),
]
