"""How users are created and found: an e-mail address is always required."""

from django.contrib.auth import models as auth_models  # feature: not username_email
from django.contrib.auth.base_user import BaseUserManager  # feature: username_email
from django.contrib.auth.hashers import make_password  # feature: username_email
# begin feature: not username_email


class UserManager(auth_models.UserManager):
    """Django's manager (sign in with the username), refusing users without an address."""

    def _create_user_object(self, username, email, password, **extra_fields):
        if not email:
            raise ValueError("Users need an e-mail address")
        return super()._create_user_object(username, email, password, **extra_fields)
# end feature: not username_email
# begin feature: username_email


class EmailUserManager(BaseUserManager):
    """Users who sign in with their e-mail address: no username anywhere."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("Users need an e-mail address")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.password = make_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if extra_fields["is_staff"] is not True or extra_fields["is_superuser"] is not True:
            raise ValueError("A superuser must have is_staff=True and is_superuser=True")
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        """Sign-in (and createsuperuser) finds Alice@Example.com as alice@example.com."""
        return self.get(email__iexact=email)
# end feature: username_email
