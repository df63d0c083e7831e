"""The pages: login, worklist, event search, event page and its actions, registration, exports."""

from django.contrib.auth import views as auth_views
from django.urls import path

from fengqiao.events import views
from fengqiao.people.forms import LockoutAuthenticationForm

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True,
                                                authentication_form=LockoutAuthenticationForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.worklist_page, name="worklist"),
    path("inbox/", views.inbox, name="inbox"),
    path("events/", views.event_list, name="event_list"),
    path("events/export.xlsx", views.export_events, name="events_export"),
    path("events/<int:event_id>/", views.event_detail, name="event_detail"),
    path("events/<int:event_id>/export.xlsx", views.export_event, name="event_export"),
    path("events/<int:event_id>/act/<slug:action>", views.event_act, name="event_act"),
    path("events/<int:event_id>/attachments", views.attachment_upload, name="attachment_upload"),
    path("events/<int:event_id>/attachments/<int:attachment_id>", views.attachment_download,
         name="attachment_download"),
    path("regions/picker", views.region_picker, name="region_picker"),
]
