"""Open311 GeoReport v2: /open311/v2/{resource}.{format} (format: xml or json)."""

from django.urls import re_path

from fengqiao.open311 import views

FMT = r"\.(?P<fmt>[^/.]+)$"

urlpatterns = [
    re_path(r"^open311/v2/?$", views.root, name="open311_root"),
    re_path(r"^open311/discovery" + FMT, views.discovery),
    re_path(r"^open311/v2/discovery" + FMT, views.discovery, name="open311_discovery"),
    re_path(r"^open311/v2/services" + FMT, views.service_list, name="open311_services"),
    re_path(r"^open311/v2/services/(?P<service_code>[^/]+)" + FMT, views.service_definition,
            name="open311_service_definition"),
    re_path(r"^open311/v2/requests" + FMT, views.service_requests, name="open311_requests"),
    re_path(r"^open311/v2/requests/(?P<service_request_id>[^/]+)" + FMT, views.request_detail,
            name="open311_request"),
    re_path(r"^open311/v2/tokens/(?P<token>[^/]+)" + FMT, views.token_detail, name="open311_token"),
    re_path(r"^open311/v2/(?P<path>.*)$", views.not_found),
]
