"""Database check: a database made with Django's own auth.User cannot take this model.

Django creates the ``auth_user`` table only while ``auth.User`` is the user model, and it
never moves rows, foreign keys or migration history to a new model by itself. A project
generated before the ``username_type`` prompt that is updated to a custom model would
leave every existing user behind; ``migrate`` stops here first, saying what to do.
"""

from django.contrib.auth import get_user_model
from django.core import checks
from django.db import connections

DJANGO_USER_TABLE = "auth_user"
KEEP_DJANGO_USER = """cruft update --variables-to-update '{"username_type": "django"}'"""


# Database checks run where a database is named: migrate, check --database.
@checks.register(checks.Tags.database)
def check_database_was_not_made_for_django_user(app_configs=None, databases=None, **kwargs):
    if not databases or get_user_model()._meta.db_table == DJANGO_USER_TABLE:
        return []  # no database asked for, or the model was moved onto that very table
    errors = []
    for alias in databases:
        connection = connections[alias]
        with connection.cursor() as cursor:
            tables = connection.introspection.table_names(cursor)
        if DJANGO_USER_TABLE in tables:
            errors.append(
                checks.Error(
                    f"Database {alias!r} holds Django's own users (table {DJANGO_USER_TABLE}), "
                    f"but the user model is {get_user_model()._meta.label}: migrating would "
                    "leave every existing user and their foreign keys behind.",
                    hint=(
                        "A project generated before the username_type prompt keeps auth.User: "
                        f"{KEEP_DJANGO_USER}. "
                        "Moving to an own model later is a manual migration (the template's "
                        "docs/upgrading.md)."
                    ),
                    id="users.E001",
                )
            )
    return errors
