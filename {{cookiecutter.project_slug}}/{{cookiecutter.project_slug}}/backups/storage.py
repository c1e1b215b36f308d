"""Where backups are written: complete, durable files only, and a dump only beside its checksum.

Every write goes to a hidden temporary file in the destination folder, is flushed to disk
(fsync), and only then gets its final name. Final names are taken with a hard link, which
fails if the name exists: a second writer can never overwrite a backup.
"""

import contextlib
import os
import tempfile

from django.core.files.storage import FileSystemStorage

# No date in it: backup listings only pick dated names, so a staged file is never listed.
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


def publish_backup_files(directory, name, dump_chunks, metadata, *, mode=0o600):
    """Publish a dump and its ``.metadata`` so that a reader sees both, or neither.

    Both are staged and fsynced first (a full disk fails here, before any name appears).
    The metadata is published first: listings look for dumps, so a dump is never visible
    without its checksum. If the dump cannot be published, its metadata is taken back.
    """
    dump_path = os.path.join(directory, name)
    metadata_path = f"{dump_path}.metadata"
    staged_dump = stage(directory, dump_chunks, mode)
    try:
        staged_metadata = stage(directory, [metadata], mode)
        try:
            publish(staged_metadata, metadata_path)
            try:
                publish(staged_dump, dump_path)
            except BaseException:
                discard(metadata_path)
                raise
        finally:
            discard(staged_metadata)
    finally:
        discard(staged_dump)
    fsync_directory(directory)


class AtomicFileSystemStorage(FileSystemStorage):
    """FileSystemStorage that never shows a partial file, nor a dump without its checksum.

    (Object stores such as S3 already make an upload visible only once it is complete;
    ``services.publish_backup`` orders their two uploads the same way.)
    """

    def ensure_location(self):
        os.makedirs(self.location, mode=self.directory_permissions_mode or 0o700, exist_ok=True)

    def publish_backup(self, name, dump, metadata):
        self.ensure_location()
        publish_backup_files(
            self.location, name, dump.chunks(), metadata, mode=self.file_permissions_mode or 0o600
        )

    def _save(self, name, content):
        final_path = self.path(name)
        os.makedirs(
            os.path.dirname(final_path),
            mode=self.directory_permissions_mode or 0o700,
            exist_ok=True,
        )
        atomic_write(final_path, content.chunks(), mode=self.file_permissions_mode or 0o600)
        return name
