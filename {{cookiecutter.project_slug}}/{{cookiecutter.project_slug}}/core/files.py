"""Files that are complete under their final name, or absent: the one temp-file-then-rename.

Every write goes to a hidden temporary file in the destination folder, is flushed to disk
(fsync), and only then gets its final name. Final names are taken with a hard link, which
fails if the name exists (a second writer can never overwrite a file), unless a
replacement is asked for: then an atomic rename, so a failed write leaves the old file.
"""

import contextlib
import os
import tempfile

# No date in it: dated listings (backups) never pick a staged file.
STAGING_PREFIX = ".incomplete-"


def fsync_directory(directory):
    """Make the names created in ``directory`` survive a power cut, not only their contents."""
    descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def stage(directory, chunks, mode):
    """Write ``chunks`` to a new hidden file in ``directory``, fsynced; returns its path."""
    descriptor, path = tempfile.mkstemp(prefix=STAGING_PREFIX, dir=directory)
    try:
        with os.fdopen(descriptor, "wb") as output:
            for chunk in chunks:
                output.write(chunk)
            output.flush()
            os.fsync(output.fileno())
        os.chmod(path, mode)
    except BaseException:
        discard(path)
        raise
    return path


def publish(staged_path, final_path, *, replace=False):
    """Give a staged file its final name: atomically, and without replacing one unless asked."""
    if replace:
        os.replace(staged_path, final_path)
        return
    try:
        os.link(staged_path, final_path)
    except FileExistsError:
        raise FileExistsError(f"{final_path} already exists: it is never overwritten") from None
    discard(staged_path)


def discard(path):
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def atomic_write(path, chunks, *, mode=0o600, replace=False):
    """Write a file that is complete under its name, or absent (or, with ``replace``, unchanged)."""
    directory = os.path.dirname(os.path.abspath(path))
    staged = stage(directory, chunks, mode)
    try:
        publish(staged, path, replace=replace)
    finally:
        discard(staged)
    fsync_directory(directory)
