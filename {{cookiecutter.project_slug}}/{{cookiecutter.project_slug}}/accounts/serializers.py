"""What the sign-in, password and current-user endpoints accept and answer."""

from django.contrib.auth import authenticate, get_user_model, password_validation
from rest_framework import serializers

User = get_user_model()
# What a person is known and reached by: read-only at users/me/ (docs/AUTHENTICATION.md).
IDENTITY_FIELDS = [
    "email",
    "username",  # feature: not username_email
]


class CredentialsSerializer(serializers.Serializer):
    """The user's sign-in name (their e-mail address or username) and password."""

    email = serializers.EmailField(write_only=True)  # feature: username_email
    username = serializers.CharField(write_only=True)  # feature: not username_email
    password = serializers.CharField(
        write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )

    default_error_messages = {"invalid_credentials": "Unable to sign in with those credentials."}

    def validate(self, attrs):
        # Through every authentication backend, so a lockout counts the failures too.
        user = authenticate(
            request=self.context["request"],
            username=attrs[User.USERNAME_FIELD],
            password=attrs["password"],
        )
        if user is None:
            self.fail("invalid_credentials")
        return {"user": user}


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(write_only=True, trim_whitespace=False)
    new_password = serializers.CharField(write_only=True, trim_whitespace=False)

    def validate_old_password(self, value):
        if not self.context["request"].user.check_password(value):
            raise serializers.ValidationError("The current password is not correct.")
        return value

    def validate_new_password(self, value):
        password_validation.validate_password(value, self.context["request"].user)
        return value


class PasswordResetSerializer(serializers.Serializer):
    email = serializers.EmailField(write_only=True)


class PasswordResetConfirmSerializer(serializers.Serializer):
    uid = serializers.CharField(write_only=True)
    token = serializers.CharField(write_only=True)
    new_password = serializers.CharField(write_only=True, trim_whitespace=False)


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField(read_only=True)


class CurrentUserSerializer(serializers.ModelSerializer):
    """The signed-in user. The e-mail address is read-only here (see docs/AUTHENTICATION.md)."""

    def validate(self, attrs):
        # A new address must be proven before password resets go to it: a change is
        # refused (400), never silently ignored. The current value may be sent back.
        changed = {
            name: [f"The {name} cannot be changed here."]
            for name in IDENTITY_FIELDS
            if name in self.initial_data and self.initial_data[name] != getattr(self.instance, name)
        }
        if changed:
            raise serializers.ValidationError(changed)
        return attrs

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "username",  # feature: not username_email
            "first_name",
            "last_name",
            "date_joined",
        ]
        read_only_fields = ["id", *IDENTITY_FIELDS, "date_joined"]
