"""Observability: what the project tells its operators about itself.

The request log and request id, query stats, and the rules every error channel shares:
what makes two errors the same (``fingerprint``), "once per key per window"
(``once``), which names hold secrets (``secret_names``) and which paths are too
routine to log or trace (``quiet_paths``).
"""
