"""Where backups are written: complete, durable files only, and a dump only beside its checksum.

Every write is staged, fsynced and published by ``core.files`` (the project's one
temp-file-then-rename): a second writer can never overwrite a backup.
"""

import os

from django.core.files.storage import FileSystemStorage

from ..core.files import atomic_write, discard, fsync_directory, publish, stage


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
