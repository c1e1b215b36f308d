"""A backup file appears complete under its final name, or not at all."""

import pytest
from django.core.files.base import ContentFile, File

from ..storage import AtomicFileSystemStorage


class FailingFile(File):
    def chunks(self, chunk_size=None):
        yield b"first part of the dump"
        raise OSError("disk full")


def test_writes_the_whole_file_readable_by_its_owner_only(tmp_path):
    storage = AtomicFileSystemStorage(location=tmp_path, file_permissions_mode=0o600)

    name = storage.save("default-2025-01-01-020000.psql.bin", ContentFile(b"x" * 100_000))

    assert (tmp_path / name).read_bytes() == b"x" * 100_000
    assert (tmp_path / name).stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_a_failed_write_leaves_no_file(tmp_path):
    storage = AtomicFileSystemStorage(location=tmp_path)

    with pytest.raises(OSError, match="disk full"):
        storage.save("default-2025-01-01-020000.psql.bin", FailingFile(None, name="dump"))

    assert list(tmp_path.iterdir()) == []
