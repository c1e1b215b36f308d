#!/usr/bin/env bash
# Back up the database: a new backup (SHA-256 recorded beside it) in BACKUP_DIR or the
# configured storage, then the retention policy. Made for cron and systemd: it needs no
# interactive shell, finds the project and its virtualenv by itself, and exits non-zero
# when anything fails (so cron mails you, systemd marks it failed). Backups never run twice
# at once: `manage.py dbbackup` takes a lock that every backup of the database shares
# (scheduled or by hand), and one started while another runs waits for it (up to
# BACKUP_TIME_LIMIT seconds).
#
#   scripts/backup_database.sh            back up, then apply retention
#   scripts/backup_database.sh --verify   also restore the new backup into a scratch
#                                         database and compare every table's row count
#
# Environment: everything the app reads (DATABASE_URL, BACKUP_DIR, ... see .env.example;
# a .env file in the project folder is read too). PYTHON overrides the interpreter.
set -euo pipefail
umask 077

PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$PROJECT_DIR"
# cron starts with a minimal PATH; pg_dump and friends live in /usr/bin.
export PATH="${PATH:-/usr/bin:/bin}:/usr/local/bin:/usr/bin:/bin"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-config.settings.production}"

log() { printf '%s backup_database: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }

verify=false
for argument in "$@"; do
  case "$argument" in
    --verify) verify=true ;;
    -h | --help) sed -n '2,15p' "$0"; exit 0 ;;
    *) log "unknown option: $argument (try --help)"; exit 2 ;;
  esac
done

python="${PYTHON:-}"
if [ -z "$python" ]; then
  if [ -x "$PROJECT_DIR/.venv/bin/python" ]; then
    python="$PROJECT_DIR/.venv/bin/python"
  else
    python="$(command -v python3 || true)"
  fi
fi
if [ -z "$python" ]; then
  log "no Python found: create .venv in $PROJECT_DIR or set PYTHON"
  exit 1
fi

log "backing up ($DJANGO_SETTINGS_MODULE)"
"$python" manage.py dbbackup --clean --noinput
if [ "$verify" = true ]; then
  log "verifying the new backup"
  "$python" manage.py verifybackup
fi
log "done"
