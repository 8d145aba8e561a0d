from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "apps.search"
    verbose_name = "Search"

    def ready(self):
        from apps.tracker import text_search

        from . import selectors, signals

        signals.connect()
        # The lower apps' ?search= filters call this app through a hook they own, so they never
        # import it; without it they fall back to a plain substring match.
        text_search.register(
            validate=selectors.validate_list_search, filter=selectors.filter_list_by_search
        )
