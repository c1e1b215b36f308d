"""migrate refuses a database that was made for Django's own auth.User."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection

from ..checks import check_database_was_not_made_for_django_user


def test_a_database_of_this_model_passes(db):
    assert check_database_was_not_made_for_django_user(databases=["default"]) == []


def test_a_database_holding_django_users_is_refused_naming_the_answer_to_keep_them(db):
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE auth_user (id integer PRIMARY KEY)")

    (error,) = check_database_was_not_made_for_django_user(databases=["default"])

    assert error.id == "users.E001"
    assert '"username_type": "django"' in error.hint
    with pytest.raises(SystemCheckError, match=r"users\.E001"):
        call_command("check", databases=["default"])


def test_without_a_database_nothing_is_queried():
    assert check_database_was_not_made_for_django_user(databases=None) == []
