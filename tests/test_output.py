"""Output files stay in their folder and are written atomically (statusproof/output.py), and
``render`` and ``report`` refuse to write through a symbolic link (issue 14)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from conftest import run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from statusproof.output import OutputPathError, write_in_folder


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*.tmp"))


def test_writes_and_replaces_atomically(tmp_path: Path) -> None:
    out = tmp_path / "new" / "deeper"
    path = write_in_folder(out, "a.txt", "first\n")
    assert path == out / "a.txt" and path.read_text() == "first\n"
    before = path.stat().st_ino
    write_in_folder(out, "a.txt", b"second")
    assert path.read_bytes() == b"second"
    assert path.stat().st_ino != before  # a new file took the old one's place
    assert _leftovers(tmp_path) == []
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask  # as an ordinary write makes it


def test_text_is_written_as_given(tmp_path: Path) -> None:
    write_in_folder(tmp_path, "t.txt", "a\r\nb\n\u00e9")
    assert (tmp_path / "t.txt").read_bytes() == "a\r\nb\n\u00e9".encode()


def test_subfolders_are_made(tmp_path: Path) -> None:
    write_in_folder(tmp_path, "x/y/z.txt", "z")
    assert (tmp_path / "x" / "y" / "z.txt").read_text() == "z"


def test_a_link_to_a_file_outside_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.html").symlink_to(outside)
    with pytest.raises(OutputPathError) as raised:
        write_in_folder(out, "report.html", "overwritten")
    assert str(raised.value) == (
        f"{out / 'report.html'}: is a symbolic link (to {outside}); statusproof does not write "
        "through links, which could lead out of the output folder: choose another folder with "
        "-o, or remove it")
    assert outside.read_text() == "keep me"
    assert (out / "report.html").is_symlink()
    assert _leftovers(tmp_path) == []


def test_a_link_inside_the_folder_is_refused_too(tmp_path: Path) -> None:
    (tmp_path / "real.txt").write_text("real")
    (tmp_path / "link.txt").symlink_to("real.txt")
    with pytest.raises(OutputPathError, match=r"link\.txt: is a symbolic link"):
        write_in_folder(tmp_path, "link.txt", "x")
    assert (tmp_path / "real.txt").read_text() == "real"


def test_a_dangling_link_is_refused(tmp_path: Path) -> None:
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere" / "new.txt")
    with pytest.raises(OutputPathError, match="is a symbolic link"):
        write_in_folder(tmp_path, "gone.txt", "x")
    assert not (tmp_path / "nowhere").exists()


def test_a_linked_subfolder_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "sub").symlink_to(elsewhere)
    with pytest.raises(OutputPathError, match=r"out/sub: is a symbolic link"):
        write_in_folder(out, "sub/file.txt", "x")
    assert list(elsewhere.iterdir()) == []


def test_the_folder_itself_may_be_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "named").symlink_to(real)
    write_in_folder(tmp_path / "named", "f.txt", "ok")
    assert (real / "f.txt").read_text() == "ok"


@pytest.mark.parametrize("name", ["", "../x", "/etc/passwd", "a/../../b", "./x", "a//b"])
def test_names_that_leave_the_folder_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(OutputPathError, match="not a file name inside the output folder"):
        write_in_folder(tmp_path, name, "x")


def test_a_folder_where_the_file_goes_is_refused(tmp_path: Path) -> None:
    (tmp_path / "report.html").mkdir()
    with pytest.raises(OutputPathError, match=r"report\.html: is a folder, not a file"):
        write_in_folder(tmp_path, "report.html", "x")


def test_a_file_where_the_folder_goes_is_refused(tmp_path: Path) -> None:
    (tmp_path / "out").write_text("a file")
    with pytest.raises(OutputPathError, match="out: is not a folder"):
        write_in_folder(tmp_path / "out", "f.txt", "x")


@settings(max_examples=60)
@given(st.lists(st.text(st.characters(codec="utf-8", exclude_characters="/\\\x00"),
                        min_size=1, max_size=12).filter(lambda p: p not in (".", "..")),
                min_size=1, max_size=3),
       st.binary(max_size=200))
def test_any_relative_name_lands_inside(parts: list[str], data: bytes) -> None:
    folder = Path(tempfile.mkdtemp(prefix="statusproof-output-"))
    try:
        try:
            path = write_in_folder(folder, "/".join(parts), data)
        except OutputPathError as e:  # e.g. a name too long for the file system
            assert ": " in str(e)
            return
        assert path.read_bytes() == data
        assert path.resolve().is_relative_to(folder.resolve())
        assert _leftovers(folder) == []
    finally:
        shutil.rmtree(folder)


@pytest.mark.parametrize(("command", "victim"), [
    (["render", "--format", "dot,mermaid"], "rescue-session-statuses.mmd"),
    (["report", "--no-formal"], "report.dot"),
    (["traces", "--coverage", "transitions"], "transitions.jsonl"),
    (["traces", "--coverage", "transitions", "--format", "pytest"], "transitions_test.py"),
    (["traces", "--coverage", "transitions", "--format", "itf"], "transitions"),
])
def test_render_and_report_refuse_a_link_out_of_the_folder(tmp_path: Path, command: list[str],
                                                           victim: str) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    out = tmp_path / "out"
    out.mkdir()
    (out / victim).symlink_to(outside)
    code, _, err = run_cli([*command, "-o", str(out)])
    assert code == 2
    assert err.startswith(f"statusproof: {out / victim}: is a symbolic link")
    assert "Traceback" not in err
    assert outside.read_text() == "keep me"
