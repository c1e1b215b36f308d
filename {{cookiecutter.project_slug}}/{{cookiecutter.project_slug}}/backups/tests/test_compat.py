"""django-dbbackup's private names the project relies on (backups/compat.py) still exist.

The project's commands replace private steps of the library's: if an upgrade renames one,
the library would silently run its own step again. These tests fail naming the step.
"""

import inspect

from dbbackup.db.base import get_connector
from dbbackup.management.commands import dbbackup, dbrestore

from ..compat import BackupCommand, RestoreCommand, point_connector_at


def calls(function, name):
    return f"self.{name}(" in inspect.getsource(function)


def test_the_library_still_calls_the_backup_steps_the_project_replaces():
    assert calls(dbbackup.Command.handle, "_save_new_backup")
    assert calls(dbbackup.Command.handle, "_cleanup_old_backups")
    for name in ("_save_new_backup", "_cleanup_old_backups"):
        assert name in vars(BackupCommand)
        assert inspect.signature(getattr(dbbackup.Command, name)).parameters.keys() <= (
            inspect.signature(getattr(BackupCommand, name)).parameters.keys()
        ), name


def test_the_library_still_chooses_the_file_to_restore_through_the_step_the_project_replaces():
    assert calls(dbrestore.Command._restore_backup, "_get_backup_file")
    assert inspect.signature(dbrestore.Command._get_backup_file).parameters.keys() == (
        inspect.signature(RestoreCommand._get_backup_file).parameters.keys()
    )


def test_a_connector_still_reads_its_settings_from_the_attribute_the_project_sets():
    connector = get_connector("default")
    chosen = {"NAME": "scratch", "HOST": "elsewhere"}

    point_connector_at(connector, chosen)

    assert connector.settings is chosen
