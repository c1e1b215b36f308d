"""The project's user model: AUTH_USER_MODEL = "users.User" from the first migration."""

from typing import ClassVar

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower

from .managers import (
    EmailUserManager,  # feature: username_email
    UserManager,  # feature: not username_email
)


class User(AbstractUser):
    """A person who signs in; the e-mail address is required and unique whatever its case."""

    # AbstractUser declares a username; signing in by e-mail removes it.  # feature: username_email
    username = None  # type: ignore[assignment]  # feature: username_email
    email = models.EmailField("email address", unique=True)
    # begin feature: username_email

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []
    # end feature: username_email

    # Not a UserManager: it creates users from an e-mail address, without a username.  # feature: username_email
    objects: ClassVar[EmailUserManager] = EmailUserManager()  # type: ignore[assignment]  # feature: username_email
    objects: ClassVar[UserManager] = UserManager()  # feature: not username_email

    class Meta:
        verbose_name = "user"
        verbose_name_plural = "users"
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="users_user_email_case_insensitive_unique",
                violation_error_message="A user with this e-mail address already exists.",
            ),
        ]
