"""The benchmark's WSGI entry point: `/__raw__/…` to the raw limit, everything else to Django.

A request carrying `X-Bench-Count-Queries: 1` is answered as usual with one more header,
`X-Bench-Queries`: the number of SQL statements Django ran for it. The bench runner sends that
header once per endpoint; the load itself runs without it.
"""

from django.db import connection

from policytracker.wsgi import application as django_application

from . import raw


def _counted(environ, start_response):
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    captured = {}

    def capture(status, headers, exc_info=None):
        captured["status"], captured["headers"] = status, headers
        return lambda data: None

    with connection.execute_wrapper(count):
        result = django_application(environ, capture)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
    start_response(captured["status"], [*captured["headers"], ("X-Bench-Queries", str(queries))])
    return [body]


def application(environ, start_response):
    if environ.get("PATH_INFO", "").startswith("/__raw__/"):
        return raw.application(environ, start_response)
    if environ.get("HTTP_X_BENCH_COUNT_QUERIES"):
        return _counted(environ, start_response)
    return django_application(environ, start_response)
