"""gunicorn settings read from the working directory by every gunicorn started from the project
(Dockerfile, docker-compose, the bench suite): no `Server: gunicorn/…` banner telling a scanner
which server and version to try."""

import gunicorn.http.wsgi

_default_headers = gunicorn.http.wsgi.Response.default_headers


def _headers_without_server_banner(response):
    return [line for line in _default_headers(response) if not line.startswith("Server:")]


gunicorn.http.wsgi.Response.default_headers = _headers_without_server_banner
