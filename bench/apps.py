from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Holds the seed_bench command; no models."""

    name = "bench"
    verbose_name = "Benchmarks"
