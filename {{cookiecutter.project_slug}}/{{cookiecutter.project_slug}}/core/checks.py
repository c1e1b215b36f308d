"""Start-up checks for settings that would let any client choose who it is (see apps.py)."""

from django.conf import settings
from django.core import checks


def check_trusted_proxies_are_not_everyone(app_configs, **kwargs):
    everyone = [
        network for network in getattr(settings, "TRUSTED_PROXIES", ()) if network.prefixlen == 0
    ]
    if not everyone:
        return []
    listed = ", ".join(str(network) for network in everyone)
    return [
        checks.Warning(
            f"TRUSTED_PROXIES includes {listed}: X-Forwarded-For is believed from any peer, so "
            "any client can pick the address its rate limits, lockouts and logs are keyed by.",
            hint="List only your proxies' addresses or networks in TRUSTED_PROXIES.",
            id="core.W001",
        )
    ]
