"""write_atomically: all or nothing."""

import pytest

from capkit.files import write_atomically


def test_replaces_the_file(tmp_path):
    path = tmp_path / "sub" / "report.html"
    write_atomically(path, "first")
    write_atomically(path, "second")
    assert path.read_text() == "second"
    assert [p.name for p in path.parent.iterdir()] == ["report.html"]


def test_a_failed_write_keeps_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "report.html"
    path.write_text("old")
    with pytest.raises(TypeError):
        write_atomically(path, b"not text")  # fails inside the write
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
