"""atomic_write: a file is complete under its name, or absent, or left as it was."""

import pytest

from ..files import atomic_write


def failing_chunks():
    yield b"half of it"
    raise OSError(28, "No space left on device")


def test_a_file_is_written_whole_and_nothing_else_stays(tmp_path):
    atomic_write(tmp_path / "answer", [b"forty", b"-two"], mode=0o640)

    assert (tmp_path / "answer").read_bytes() == b"forty-two"
    assert (tmp_path / "answer").stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["answer"]


def test_a_failed_write_leaves_no_file(tmp_path):
    with pytest.raises(OSError, match="No space left"):
        atomic_write(tmp_path / "answer", failing_chunks())

    assert list(tmp_path.iterdir()) == []


def test_a_failed_replacement_leaves_the_good_file(tmp_path):
    atomic_write(tmp_path / "answer", [b"good"])

    with pytest.raises(OSError, match="No space left"):
        atomic_write(tmp_path / "answer", failing_chunks(), replace=True)

    assert (tmp_path / "answer").read_bytes() == b"good"
    assert [p.name for p in tmp_path.iterdir()] == ["answer"]


def test_a_replacement_replaces(tmp_path):
    atomic_write(tmp_path / "answer", [b"old"])
    atomic_write(tmp_path / "answer", [b"new"], replace=True)

    assert (tmp_path / "answer").read_bytes() == b"new"


def test_an_existing_file_is_never_overwritten_unless_asked(tmp_path):
    atomic_write(tmp_path / "answer", [b"first"])

    with pytest.raises(FileExistsError, match="never overwritten"):
        atomic_write(tmp_path / "answer", [b"second"])

    assert (tmp_path / "answer").read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["answer"]
