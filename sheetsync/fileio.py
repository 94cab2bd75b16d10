"""Local files written all-or-nothing: a temporary file beside the target,
fsynced, then renamed over it.  A run killed at any moment leaves each file
wholly old or wholly new."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

#: What tells a file saved anew from the one read: (inode, size, mtime), None when absent.
Stamp = tuple[int, int, int] | None


@contextmanager
def atomic_writer(path: Path, mode: str = "w") -> Iterator[IO[Any]]:
    """Write ``path`` all-or-nothing: temp file, fsync, rename over the original."""
    path, tmp = temp_beside(path)
    try:
        kwargs: dict[str, Any] = {"encoding": "utf-8", "newline": ""} if "b" not in mode else {}
        with open_temp(tmp, mode, **kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def check_writable(folder: Path) -> None:
    """Raise FileSystemError unless files can be created in ``folder`` (checked before
    a push is logged, so a read-only tracker refuses with nothing written)."""
    import errno

    from sheetsync.errors import FileSystemError

    if not folder.is_dir():
        raise FileSystemError.from_os(
            OSError(errno.ENOTDIR, "not a folder", str(folder)), "cannot write in"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise FileSystemError.from_os(
            OSError(errno.EACCES, "permission denied", str(folder)), "cannot write in"
        )


def temp_beside(path: Path) -> tuple[Path, Path]:
    """(the file to replace, an empty temporary file beside it), symlinks followed."""
    from sheetsync.errors import FileSystemError

    if path.is_symlink():  # write where the link points, and keep the link
        path = path.resolve()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:  # name the folder, not the temporary file's random name
        where = OSError(exc.errno, exc.strerror, str(path.parent))
        raise FileSystemError.from_os(where, "cannot write in") from exc
    os.close(fd)
    return path, Path(tmp)


def open_temp(tmp: Path, mode: str, **kwargs: Any) -> IO[Any]:
    return os.fdopen(os.open(tmp, os.O_WRONLY | os.O_TRUNC), mode, **kwargs)


def replace(tmp: Path, path: Path) -> None:
    """Rename ``tmp`` over ``path``, keeping the user's permissions on the file."""
    if path.exists():
        os.chmod(tmp, path.stat().st_mode & 0o7777)
    os.replace(tmp, path)


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def stamp(path: Path) -> Stamp:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return info.st_ino, info.st_size, info.st_mtime_ns


def remove(paths: Iterable[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
