"""Password change and reset: the rules behind the endpoints, one function each."""

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from rest_framework.exceptions import ValidationError

from . import (
    jwt,  # feature: jwt
    knox,  # feature: knox
)

INVALID_RESET_LINK = "The password reset link is invalid or has expired."


def reset_link(user):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.PASSWORD_RESET_URL.format(uid=uid, token=token)


def users_with_email(email):
    """Active users who may reset their password with this address (whatever its case)."""
    users = get_user_model()._default_manager.filter(email__iexact=email, is_active=True)
    return [user for user in users if user.has_usable_password()]


def send_password_reset(email):
    """E-mail a reset link to every active account with this address (none if unknown)."""
    for user in users_with_email(email):
        send_mail(
            subject="Reset your password",
            message=(
                "Someone asked to reset the password of your account. If it was you, open "
                f"this link to choose a new password:\n\n{reset_link(user)}\n\n"
                f"The link works once, for {settings.PASSWORD_RESET_TIMEOUT // 60} minutes. "
                "If it was not you, ignore this message: your password stays as it is.\n"
            ),
            from_email=None,
            recipient_list=[user.email],
        )
# begin feature: celery


def request_password_reset(email):
    """Start a reset; the caller learns nothing about whether the address is known."""
    from .tasks import send_password_reset_task

    # The lookup happens in the worker: the answer takes the same time either way.
    send_password_reset_task.delay(email)
# end feature: celery


def user_from_reset_link(uid, token):
    try:
        pk = force_str(urlsafe_base64_decode(uid))
        user = get_user_model()._default_manager.get(pk=pk, is_active=True)
    except (TypeError, ValueError, OverflowError, get_user_model().DoesNotExist):
        user = None
    # The token is a hash of the password hash and last login: a used link stops working.
    if user is None or not default_token_generator.check_token(user, token):
        raise ValidationError({"token": [INVALID_RESET_LINK]}, code="invalid_reset_link")
    return user


def set_new_password(user, new_password, keep=None):
    """Set a validated password; every session of the user ends except ``keep`` (the caller's)."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    jwt.revoke_tokens(user, keep=keep)  # feature: jwt
    knox.revoke_tokens(user, keep=keep)  # feature: knox


def reset_password(uid, token, new_password):
    user = user_from_reset_link(uid, token)
    try:
        password_validation.validate_password(new_password, user)
    except DjangoValidationError as exc:
        raise ValidationError({"new_password": list(exc.messages)}) from exc
    set_new_password(user, new_password)
    return user
