"""Writing output files: atomically, and only inside the output folder.

:func:`write_in_folder` is what every command that writes files uses: into a folder
(``-o DIR``), or one file (``-o FILE``, :func:`write_file`); :func:`open_in_folder` is the same
for output written as it is made (records, large suites). It owns three promises:

- **inside the folder**: the file is written in the folder given, or in a subfolder of it, and
  never through a symbolic link: a link where the file (or a subfolder) should be is refused
  (exit 2), whether it points inside the folder or out of it. The folder itself may be a link:
  it is the one the user named;
- **atomic**: the data goes to a new temporary file beside the target, which then replaces the
  target in one step (``os.replace``); a reader never sees half a file, and a failed run leaves
  the old file as it was;
- **clear refusals**: every problem is an :class:`OutputPathError` whose message is
  ``PATH: what is wrong; how to fix it`` (the command line prints it and exits 2).

It depends on nothing above :mod:`statusproof.model.errors`, so that the command line and the
conformance export can both use it. Which files each command may replace is documented in
``docs/outputs.md``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from statusproof.model.errors import StatusproofError

__all__ = ["OutputPathError", "write_in_folder", "open_in_folder", "write_file"]

_HOW = "choose another folder with -o, or remove it"


class OutputPathError(StatusproofError):
    """An output file cannot be written where it was asked to be."""


def _parts(name: str) -> list[str]:
    parts = name.replace("\\", "/").split("/")
    if not name or name.startswith(("/", "\\")) or any(p in ("", ".", "..") for p in parts):
        raise OutputPathError(f"{name!r}: not a file name inside the output folder; give a "
                              "relative name without '..'")
    return parts


def _open_folder(path: Path, create: bool) -> int:
    """A file descriptor of the folder ``path`` (created when missing and ``create``)."""
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            raise OutputPathError(f"{path}: is not a folder; {_HOW}") from None
        except OSError as e:
            raise OutputPathError(f"{path}: cannot create the folder ({e.strerror or e}); "
                                  "check the path given with -o") from e
    try:
        return os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except NotADirectoryError:
        raise OutputPathError(f"{path}: is not a folder; {_HOW}") from None
    except OSError as e:
        raise OutputPathError(f"{path}: cannot open the folder ({e.strerror or e}); check the "
                              "path given with -o") from e


def _link(path: Path, dir_fd: int, name: str) -> OutputPathError:
    try:
        target = os.readlink(name, dir_fd=dir_fd)
    except OSError:
        target = "?"
    return OutputPathError(
        f"{path}: is a symbolic link (to {target}); statusproof does not write through links, "
        f"which could lead out of the output folder: {_HOW}")


def _subfolder(parent: int, name: str, path: Path) -> int:
    """Open (creating it if missing) the subfolder ``name`` of the folder ``parent``, refusing
    a symbolic link."""
    with contextlib.suppress(FileExistsError):
        os.mkdir(name, dir_fd=parent)
    try:
        return os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=parent)
    except OSError as e:
        if e.errno == errno.ELOOP or (e.errno == errno.ENOTDIR and stat.S_ISLNK(
                os.lstat(name, dir_fd=parent).st_mode)):
            raise _link(path, parent, name) from None
        if e.errno == errno.ENOTDIR:
            raise OutputPathError(f"{path}: is not a folder; {_HOW}") from None
        raise OutputPathError(f"{path}: cannot open the folder ({e.strerror or e}); check the "
                              "path given with -o") from e


@contextlib.contextmanager
def open_in_folder(folder: str | Path, name: str, text: bool = True) -> Iterator[IO[Any]]:
    """A file to write ``folder/name`` through, atomically (for output too large to hold):
    what is written goes to a temporary file beside the target, which replaces the target
    when the ``with`` block ends without an exception (and is removed when it raises).
    Text is UTF-8 with ``\\n`` line ends. The same refusals as :func:`write_in_folder`."""
    folder = Path(folder)
    parts = _parts(name)
    path = folder.joinpath(*parts)
    fds = [_open_folder(folder, create=True)]
    try:
        for index, part in enumerate(parts[:-1]):
            fds.append(_subfolder(fds[-1], part, folder.joinpath(*parts[:index + 1])))
        here, base = fds[-1], parts[-1]
        try:
            mode = os.lstat(base, dir_fd=here).st_mode
        except FileNotFoundError:
            mode = None
        if mode is not None and stat.S_ISLNK(mode):
            raise _link(path, here, base)
        if mode is not None and stat.S_ISDIR(mode):
            raise OutputPathError(f"{path}: is a folder, not a file; {_HOW}")
        temporary = f".{base}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666,
                         dir_fd=here)
        except OSError as e:
            raise OutputPathError(f"{path}: cannot write ({e.strerror or e}); check the folder "
                                  "given with -o") from e
        try:
            handle = (os.fdopen(fd, "w", encoding="utf-8", newline="\n") if text
                      else os.fdopen(fd, "wb"))
            with handle:
                yield handle
            os.replace(temporary, base, src_dir_fd=here, dst_dir_fd=here)
        except BaseException as e:
            with contextlib.suppress(OSError):
                os.unlink(temporary, dir_fd=here)
            if isinstance(e, OSError) and not isinstance(e, OutputPathError):
                raise OutputPathError(f"{path}: cannot write ({e.strerror or e}); check the "
                                      "folder given with -o") from e
            raise
    finally:
        for fd in fds:
            os.close(fd)


def write_in_folder(folder: str | Path, name: str, data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8, as given) to ``folder/name`` atomically; returns the
    path. ``folder`` is created when missing; ``name`` may name subfolders (created too).

    Raises :class:`OutputPathError` when the file or a subfolder is a symbolic link, when a
    folder is a file (or the file a folder), or when the system refuses the write.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with open_in_folder(folder, name, text=False) as handle:
        handle.write(payload)
    return Path(folder).joinpath(*_parts(name))


def write_file(path: str | Path, data: str | bytes) -> Path:
    """Write the one file ``path`` (``-o FILE``) atomically, never through a symbolic link:
    :func:`write_in_folder` on its folder (created when missing) and its name."""
    path = Path(path)
    return write_in_folder(path.parent, path.name, data)
