"""/api/auth/: outside the API version, every path on the sensitive per-IP tier."""

from django.urls import path

from . import (
    jwt,  # feature: jwt
    knox,  # feature: knox
    views,
)

urlpatterns = [
    path("token/", jwt.TokenView.as_view(), name="auth-token"),  # feature: jwt
    path("token/refresh/", jwt.RefreshView.as_view(), name="auth-token-refresh"),  # feature: jwt
    path("logout/", jwt.LogoutView.as_view(), name="auth-logout"),  # feature: jwt
    path("token/", knox.TokenView.as_view(), name="auth-token"),  # feature: knox
    path("logout/", knox.LogoutView.as_view(), name="auth-logout"),  # feature: knox
    path("password/change/", views.PasswordChangeView.as_view(), name="auth-password-change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="auth-password-reset"),
    path(
        "password/reset/confirm/",
        views.PasswordResetConfirmView.as_view(),
        name="auth-password-reset-confirm",
    ),
]
