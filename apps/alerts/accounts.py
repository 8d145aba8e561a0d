"""Accounts glue: which name a failed sign-in is counted against (django-axes)."""


def login_username(request, credentials: dict | None = None) -> str | None:
    """The username or email a sign-in tried: the admin's form says "username", allauth's
    says "login" and authenticates with "email"."""
    credentials = credentials or {}
    for key in ("username", "email", "login"):
        if credentials.get(key):
            return str(credentials[key]).strip().lower()
    data = getattr(request, "POST", {}) or {}
    for key in ("username", "login"):
        if data.get(key):
            return str(data[key]).strip().lower()
    return None
