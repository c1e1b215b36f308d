"""Admin error log: unhandled errors recorded in the database, browsable in the admin."""

from config.env import env

# Rows whose last occurrence is older than this are purged (manage.py purge_error_log).
ERROR_LOG_RETENTION_DAYS = env.positive_int("ERROR_LOG_RETENTION_DAYS", default=90)
