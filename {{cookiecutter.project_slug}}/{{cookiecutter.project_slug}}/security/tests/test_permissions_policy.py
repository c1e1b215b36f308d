"""Permissions-Policy: every powerful browser feature is denied."""

from django.test import override_settings


def test_powerful_features_are_denied(client):
    header = client.get("/api/health/live/")["Permissions-Policy"]

    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in header


@override_settings(PERMISSIONS_POLICY={"fullscreen": ["self"], "camera": []})
def test_a_feature_can_be_allowed_for_our_own_pages(client):
    header = client.get("/api/health/live/")["Permissions-Policy"]

    assert "fullscreen=(self)" in header
    assert "camera=()" in header
