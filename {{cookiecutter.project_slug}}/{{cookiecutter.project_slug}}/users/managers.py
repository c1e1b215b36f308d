"""How users are created and found: an e-mail address is always required."""

from typing import TYPE_CHECKING, Any

from django.contrib.auth import models as auth_models  # feature: not username_email
from django.contrib.auth.base_user import BaseUserManager  # feature: username_email
from django.contrib.auth.hashers import make_password  # feature: username_email

if TYPE_CHECKING:
    from .models import User
# begin feature: not username_email


class UserManager(auth_models.UserManager["User"]):
    """Django's manager (sign in with the username), refusing users without an address."""

    def _create_user_object(
        self, username: str, email: str | None, password: str | None, **extra_fields: Any
    ) -> "User":
        if not email:
            raise ValueError("Users need an e-mail address")
        # Django 5.2's helper shared by create_user() and acreate_user(); not in django-stubs.
        return super()._create_user_object(username, email, password, **extra_fields)  # type: ignore[misc]
# end feature: not username_email
# begin feature: username_email


class EmailUserManager(BaseUserManager["User"]):
    """Users who sign in with their e-mail address: no username anywhere."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields: Any) -> "User":
        if not email:
            raise ValueError("Users need an e-mail address")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.password = make_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields: Any) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> "User":
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if extra_fields["is_staff"] is not True or extra_fields["is_superuser"] is not True:
            raise ValueError("A superuser must have is_staff=True and is_superuser=True")
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email: str | None) -> "User":
        """Sign-in (and createsuperuser) finds Alice@Example.com as alice@example.com."""
        return self.get(email__iexact=email)
# end feature: username_email
