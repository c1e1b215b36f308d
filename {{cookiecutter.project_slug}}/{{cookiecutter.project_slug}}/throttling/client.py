"""The client's IP address, as our own proxies saw it (see NUM_PROXIES in settings)."""

from rest_framework.throttling import BaseThrottle


def client_ip(request):
    """One answer for DRF throttles and the admin login lockout alike."""
    return BaseThrottle().get_ident(request)
