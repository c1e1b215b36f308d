"""Database backups: django-dbbackup plus checksums, retention and verification.

Backups go to BACKUP_DIR through a storage that writes each file atomically; any Django
storage works instead (S3 through django-storages: see docs/BACKUP_STRATEGY.md).
"""

import tempfile

from config.env import BASE_DIR, env
from config.settings.components.database import DATABASES

# The "dbbackup" storage in STORAGES (components/static_files.py) writes here.
BACKUP_DIR = env.path("BACKUP_DIR", default=BASE_DIR / "backups")

# Retention, applied after each successful backup: the newest backup of each of the last
# N days, N weeks and N months is kept (and the newest of all, always).
BACKUP_KEEP_DAILY = env.positive_int("BACKUP_KEEP_DAILY", default=7)
BACKUP_KEEP_WEEKLY = env.positive_int("BACKUP_KEEP_WEEKLY", default=4)
BACKUP_KEEP_MONTHLY = env.positive_int("BACKUP_KEEP_MONTHLY", default=6)
# A node_exporter textfile-collector file recording when the last backup succeeded, for
# the "backup too old" alert (empty: not written).
BACKUP_HEARTBEAT_FILE = env.str("BACKUP_HEARTBEAT_FILE", default="")
# Seconds a scheduled backup or verification may run before it is stopped, and that a
# backup waits for the backup lock while another one runs.
BACKUP_TIME_LIMIT = env.positive_int("BACKUP_TIME_LIMIT", default=3 * 3600)

# pg_dump's custom format is compressed already; gzip the SQLite copies only.
BACKUP_GZIP = "postgresql" not in DATABASES["default"]["ENGINE"]
# Failures are e-mailed to ADMINS by the backups app (once, for backups and verifications).
DBBACKUP_SEND_EMAIL = False
# A stable name in backup file names (the default, the host name, changes per container).
DBBACKUP_HOSTNAME = "{{ cookiecutter.project_slug }}"
# Dumps larger than 10 MB are spooled to files here: a disk folder, not a RAM-backed /tmp.
DBBACKUP_TMP_DIR = env.str("BACKUP_TMP_DIR", default=tempfile.gettempdir())

# Dumps may bypass a connection pooler: BACKUP_DATABASE_URL points at PostgreSQL itself.
if env.str("BACKUP_DATABASE_URL", default=""):
    _direct = env.db_url("BACKUP_DATABASE_URL")
    DBBACKUP_CONNECTORS = {
        "default": {key: _direct[key] for key in ("NAME", "USER", "PASSWORD", "HOST", "PORT")}
    }
