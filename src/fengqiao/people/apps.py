from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "fengqiao.people"
    verbose_name = _("People")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from fengqiao.people import throttle

        # Every sign-in, whichever form it came through, counts towards the lockout.
        user_login_failed.connect(throttle.on_login_failed, dispatch_uid="fengqiao-login-failed")
        user_logged_in.connect(throttle.on_logged_in, dispatch_uid="fengqiao-logged-in")
