from django.conf import settings
reveal_type(settings.HUEY)
reveal_type(settings.STATICFILES_DIRS)
