"""Middleware of the platform's own."""

from __future__ import annotations

from django.conf import settings


class ChineseUnlessChosenMiddleware:
    """The interface is Simplified Chinese unless the user picked another language with the
    switch (a cookie): a browser's Accept-Language alone does not change it. Goes before
    LocaleMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
