"""The address a request came from, as far as this deployment can know it.

Without a trusted proxy (the default) that is the socket's peer, REMOTE_ADDR: any header a client
sends can be forged. Behind `TRUSTED_PROXY_COUNT` proxies, each appends the address it saw to
X-Forwarded-For, so the client is the entry that many places from the right; whatever the client
itself put further left is ignored.
"""

from django.conf import settings


def client_ip(request) -> str:
    remote_addr = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote_addr
    forwarded = [
        hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop
    ]
    forwarded = [hop for hop in forwarded if hop]
    if len(forwarded) < proxies:
        # Fewer hops than proxies: the request did not come through them all.
        return remote_addr
    return forwarded[-proxies]
