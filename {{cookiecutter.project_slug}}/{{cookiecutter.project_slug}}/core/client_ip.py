"""Who the client is: the one answer for rate limits, lockouts, logs and error reports.

``X-Forwarded-For`` is believed only when the connecting peer (REMOTE_ADDR) is one of our
own proxies (TRUSTED_PROXIES). A chain of proxies appends one address each, so the header
is read from the right, skipping our proxies; the first address that is not ours is the
client. Whatever a client wrote into the header itself sits further left and is never
reached, and a client that connects directly is identified by its own address.

No Django import at module level: gunicorn.conf.py reads TRUSTED_PROXIES through
``trusted_networks_from_env`` too, so gunicorn and Django trust the same peers.
"""

import functools
import ipaddress
import os

TRUSTED_PROXIES_VARIABLE = "TRUSTED_PROXIES"
# Loopback (a proxy on the same host) and the private ranges container networks and
# cluster pod networks use (a proxy container, an ingress controller). Public addresses
# are never trusted by default; narrow this to your proxy's address where other hosts of
# the private network can reach the app.
DEFAULT_TRUSTED_PROXIES = (
    "127.0.0.0/8",
    "::1/128",
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "fc00::/7",
)


def parse_trusted_proxies(value, variable=TRUSTED_PROXIES_VARIABLE):
    """Comma-separated addresses or CIDRs as networks; a malformed entry names ``variable``.

    Raises ValueError (Django settings turn it into ImproperlyConfigured, gunicorn into
    an exit at start-up).
    """
    networks = []
    for entry in (part.strip() for part in value.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(
                f"Environment variable {variable} has {entry!r}, which is not an IP address "
                "or network (expected e.g. 127.0.0.1,10.0.0.0/8,::1)"
            ) from None
    return tuple(networks)


def trusted_networks_from_env(environ=os.environ):
    """TRUSTED_PROXIES from the environment; unset means the default, empty means none."""
    value = environ.get(TRUSTED_PROXIES_VARIABLE)
    if value is None:
        value = ",".join(DEFAULT_TRUSTED_PROXIES)
    return parse_trusted_proxies(value)


def _address(text):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _is_trusted(address, networks):
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in network for network in networks)


# Answers are remembered: the same few peers and proxy chains ask on every request, and
# parsing their addresses cost more than any other step of a trivial request.
ANSWERS_REMEMBERED = 4096


@functools.lru_cache(maxsize=ANSWERS_REMEMBERED)
def client_ip_from(remote_addr, forwarded_for, networks):
    """The client's address, given the peer, its X-Forwarded-For header and our proxies.

    "" when no address is known at all.
    """
    peer = _address(remote_addr or "")
    if not peer_is_trusted(remote_addr, networks):
        return str(peer)
    client = peer
    for entry in reversed((forwarded_for or "").split(",")):
        hop = _address(entry)
        if hop is None:
            # Garbage in the chain: the last address we could vouch for is the client.
            break
        client = hop
        if not _is_trusted(hop, networks):
            break
    return "" if client is None else str(client)


@functools.lru_cache(maxsize=ANSWERS_REMEMBERED)
def peer_is_trusted(remote_addr, networks):
    """Whether the connecting peer is one of our proxies (a Unix socket peer is local: yes).

    The one trust rule: X-Forwarded-For, X-Request-ID and anything else a proxy adds are
    believed only from such a peer.
    """
    peer = _address(remote_addr or "")
    return peer is None or _is_trusted(peer, networks)


def request_from_trusted_proxy(request):
    """Whether ``request`` (Django or DRF) came through one of our proxies (TRUSTED_PROXIES)."""
    from django.conf import settings

    return peer_is_trusted(request.META.get("REMOTE_ADDR", ""), settings.TRUSTED_PROXIES)


def client_ip(request):
    """The client's IP address for ``request`` (a Django or DRF request)."""
    from django.conf import settings

    meta = request.META
    return client_ip_from(
        meta.get("REMOTE_ADDR", ""), meta.get("HTTP_X_FORWARDED_FOR", ""), settings.TRUSTED_PROXIES
    )
