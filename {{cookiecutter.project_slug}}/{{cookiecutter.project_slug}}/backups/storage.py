"""Where backups are written: a local folder, one complete file at a time."""

import contextlib
import os
import tempfile

from django.core.files.storage import FileSystemStorage


class AtomicFileSystemStorage(FileSystemStorage):
    """FileSystemStorage that never shows a partial file under a backup's name.

    The content is written to a hidden temporary file in the same folder, flushed to disk,
    then renamed: a crash or a full disk leaves no file that looks like a valid backup.
    (Object stores such as S3 already make an upload visible only once it is complete.)
    """

    def _save(self, name, content):
        final_path = self.path(name)
        directory = os.path.dirname(final_path)
        os.makedirs(directory, mode=self.directory_permissions_mode or 0o700, exist_ok=True)
        # No date in the temporary name: the backup listing only picks dated names.
        descriptor, temporary_path = tempfile.mkstemp(prefix=".incomplete-", dir=directory)
        try:
            with os.fdopen(descriptor, "wb") as output:
                for chunk in content.chunks():
                    output.write(chunk)
                output.flush()
                os.fsync(output.fileno())
            os.chmod(temporary_path, self.file_permissions_mode or 0o600)
            if os.path.exists(final_path):
                raise FileExistsError(f"{final_path} already exists")
            os.replace(temporary_path, final_path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary_path)
            raise
        return name
