"""Permissions-Policy (django-permissions-policy): an API needs no powerful browser feature.

Every feature below is denied to our pages and to anything they embed. To let our own
pages use one, list it in PERMISSIONS_POLICY_ALLOW_SELF (comma-separated), e.g.
``fullscreen,clipboard-write``.
"""

from config.env import env

DENIED_FEATURES = [
    "accelerometer",
    "autoplay",
    "browsing-topics",
    "camera",
    "display-capture",
    "encrypted-media",
    "fullscreen",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "local-fonts",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "picture-in-picture",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "sync-xhr",
    "usb",
    "xr-spatial-tracking",
]
_allowed = env.list("PERMISSIONS_POLICY_ALLOW_SELF", default=[])

PERMISSIONS_POLICY: dict[str, list[str]] = {feature: [] for feature in DENIED_FEATURES}
PERMISSIONS_POLICY.update({feature: ["self"] for feature in _allowed})
