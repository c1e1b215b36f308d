"""Settings that are safe behind PgBouncer in transaction mode.

In transaction mode consecutive transactions of one Django connection may run on
different server connections, so nothing may outlive a transaction: no server-side
cursors (they live until closed) and no prepared statements (older PgBouncer versions
cannot route them; 1.21+ can with ``max_prepared_statements``). Connections to PgBouncer
itself are cheap and stay persistent (DATABASE_CONN_MAX_AGE), checked before reuse.
"""

if "postgresql" in DATABASES["default"]["ENGINE"]:
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = None
