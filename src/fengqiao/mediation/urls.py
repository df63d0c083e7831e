from django.urls import path

from fengqiao.mediation import views

urlpatterns = [
    path("mediation/", views.worklist, name="mediation_worklist"),
    path("mediation/cases/", views.case_list, name="mediation_cases"),
    path("mediation/cases/export.xlsx", views.case_export, name="mediation_cases_export"),
    path("mediation/cases/<int:case_id>/", views.case_detail, name="mediation_case"),
    path("mediation/cases/<int:case_id>/act/<slug:action>/", views.case_act, name="mediation_case_act"),
    path("mediation/cases/<int:case_id>/documents/<str:key>.docx", views.document_download,
         name="mediation_document"),
    path("mediation/cases/<int:case_id>/documents/<str:key>/scan/", views.scan_upload, name="mediation_scan"),
    path("mediation/cases/<int:case_id>/attachments/<int:attachment_id>/", views.attachment_download,
         name="mediation_attachment"),
    path("mediation/events/<int:event_id>/open/", views.case_open, name="mediation_case_open"),
    path("mediation/events/<int:event_id>/dispatch/", views.task_dispatch, name="mediation_task_dispatch"),
    path("mediation/tasks/", views.tasks, name="mediation_tasks"),
    path("mediation/tasks/<int:task_id>/", views.task_detail, name="mediation_task"),
    path("mediation/tasks/<int:task_id>/act/<slug:action>/", views.task_act, name="mediation_task_act"),
    path("mediation/duty/", views.duty, name="mediation_duty"),
]
