"""Every use of django-dbbackup's private (underscored) internals, for django-dbbackup 5.4.0.

The version is pinned in pyproject.toml. Before upgrading it, re-read these methods in the
library's source (``management/commands/dbbackup.py``, ``dbrestore.py``, ``_base.py`` and
``db/base.py``) and run the backups tests (backups/tests/test_compat.py fails naming each private name
that moved): nothing else in the project touches them.
"""

from dbbackup.management.commands import dbbackup, dbrestore


class BackupCommand(dbbackup.Command):
    """The library's ``dbbackup``, with its two private steps handed to public methods."""

    def _save_new_backup(self, database):
        self.save_new_backup(database)

    def _cleanup_old_backups(self, database=None, servername=None):
        self.apply_retention(database)

    def save_new_backup(self, database):
        raise NotImplementedError

    def apply_retention(self, database):
        raise NotImplementedError


class RestoreCommand(dbrestore.Command):
    """The library's ``dbrestore``, with the choice of the file handed to a public method."""

    def _get_backup_file(self, database=None, servername=None):
        return self.open_backup(database, servername)

    def open_backup(self, database, servername):
        raise NotImplementedError


def point_connector_at(connector, settings_dict):
    """Make a connector's dump tools connect with ``settings_dict`` (its cached settings)."""
    connector._settings = settings_dict
