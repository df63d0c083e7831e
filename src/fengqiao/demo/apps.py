from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The Xianyou demo builder: no models, only the `demo` and `bench_seed` commands."""

    name = "fengqiao.demo"
