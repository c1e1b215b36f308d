"""A backup appears complete, beside its metadata, under a name no other backup had, or not at all."""

import pytest
from django.core.files.base import ContentFile, File

from .. import storage
from ..storage import AtomicFileSystemStorage, publish_backup_files

NAME = "default-2025-01-01-020000.psql.bin"


class FailingFile(File):
    def chunks(self, chunk_size=None):
        yield b"first part of the dump"
        raise OSError("disk full")


def test_writes_the_whole_file_readable_by_its_owner_only(tmp_path):
    files = AtomicFileSystemStorage(location=tmp_path, file_permissions_mode=0o600)

    name = files.save(NAME, ContentFile(b"x" * 100_000))

    assert (tmp_path / name).read_bytes() == b"x" * 100_000
    assert (tmp_path / name).stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_a_failed_write_leaves_no_file(tmp_path):
    files = AtomicFileSystemStorage(location=tmp_path)

    with pytest.raises(OSError, match="disk full"):
        files.save(NAME, FailingFile(None, name="dump"))

    assert list(tmp_path.iterdir()) == []


def test_a_backup_is_published_with_its_metadata_and_nothing_else(tmp_path):
    publish_backup_files(tmp_path, NAME, [b"dump"], b'{"sha256": "..."}')

    assert sorted(p.name for p in tmp_path.iterdir()) == [NAME, f"{NAME}.metadata"]
    assert (tmp_path / NAME).read_bytes() == b"dump"


def test_a_failure_while_staging_the_metadata_publishes_nothing(tmp_path, monkeypatch):
    staged: list[object] = []
    real_stage = storage.stage

    def stage_then_fail_on_the_second(directory, chunks, mode):
        if staged:
            raise OSError(28, "No space left on device")
        staged.append(real_stage(directory, chunks, mode))
        return staged[-1]

    monkeypatch.setattr(storage, "stage", stage_then_fail_on_the_second)

    with pytest.raises(OSError, match="No space left"):
        publish_backup_files(tmp_path, NAME, [b"dump"], b"{}")

    assert list(tmp_path.iterdir()) == []


def test_an_existing_backup_is_never_overwritten(tmp_path):
    publish_backup_files(tmp_path, NAME, [b"first"], b"first metadata")

    with pytest.raises(FileExistsError, match="never overwritten"):
        publish_backup_files(tmp_path, NAME, [b"second"], b"second metadata")

    assert (tmp_path / NAME).read_bytes() == b"first"
    assert (tmp_path / f"{NAME}.metadata").read_bytes() == b"first metadata"
    assert sorted(p.name for p in tmp_path.iterdir()) == [NAME, f"{NAME}.metadata"]


def test_a_dump_that_cannot_be_published_takes_its_metadata_back(tmp_path):
    # A leftover dump (no metadata) already holds the name: the new metadata must not stay
    # beside it, or the old, unverified file would look verified.
    (tmp_path / NAME).write_bytes(b"leftover")

    with pytest.raises(FileExistsError):
        publish_backup_files(tmp_path, NAME, [b"new"], b"new metadata")

    assert [p.name for p in tmp_path.iterdir()] == [NAME]
