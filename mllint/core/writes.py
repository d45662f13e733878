"""Every file mllint writes goes through :func:`atomic_write`: all or nothing, never through a symlink.

A failed write (a full disk, a quota, ``ulimit -f``, a read-only folder) must not leave a source file
truncated or a baseline that no longer parses, and a checked repository must not be able to point a
write somewhere else with a symlink. So the new content goes to a temporary file in the same folder
(created ``O_EXCL | O_NOFOLLOW``), is flushed to disk (``fsync``), gets the old file's permission bits,
and is renamed over the target, which replaces the target itself, never what a link points to. The
folder is opened once and every later step is relative to that open folder, so swapping a path
component for a symlink after the check changes nothing.

Refused (a :class:`WriteError`, which the command line reports with exit 2):

- a target that is a symbolic link, a folder, a FIFO or anything but a regular file;
- with ``confine=ROOT``: a target whose folder, symlinks resolved, is not inside ROOT (a checked
  repository's files, its baseline, its cache, a report written into it).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

#: Opening a folder without following a final symlink (where the platform has the flags).
_DIRECTORY_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
_RELATIVE = os.open in os.supports_dir_fd and os.replace in os.supports_dir_fd and os.unlink in os.supports_dir_fd


class WriteError(OSError):
    """A write mllint refused or could not complete; the target is unchanged."""


def inside(path: str | Path, root: str | Path) -> bool:
    """Is ``path`` (symlinks resolved) ``root`` or below it (symlinks resolved)?"""
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def lexically_inside(path: str | Path, root: str | Path) -> bool:
    """Is ``path`` under ``root`` by its spelling alone (``..`` normalised, symlinks not resolved)?"""
    absolute = os.path.normpath(os.path.abspath(path))
    base = os.path.normpath(os.path.abspath(root))
    return absolute == base or absolute.startswith(base.rstrip(os.sep) + os.sep)


def _umask() -> int:
    """The process umask, read without changing it where the system tells (setting it is not thread-safe)."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    current = os.umask(0o022)
    os.umask(current)
    return current


def atomic_write(path: str | Path, data: bytes | str, *, confine: str | Path | None = None,
                 exclusive: bool = False) -> None:
    """Replace (or create) ``path`` with ``data`` atomically; see the module docstring for what is refused.
    With ``exclusive`` the file must not exist yet: it appears complete or not at all, and anything that
    is already there (a file, a dangling link) is kept and the write refused (:class:`FileExistsError`)."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    target = Path(os.path.abspath(path))
    name = target.name
    if not name or name in (".", ".."):
        raise WriteError(f"cannot write {path}: not a file name")
    folder = os.path.realpath(target.parent)
    if confine is not None and not inside(folder, confine):
        raise WriteError(f"refusing to write {path}: its folder resolves outside {confine} (a symbolic link leaves it)")
    try:
        dir_fd = os.open(folder, _DIRECTORY_FLAGS)
    except OSError as exc:
        raise WriteError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        _write_in(dir_fd, folder, name, payload, str(path), exclusive)
    finally:
        os.close(dir_fd)


def _write_in(dir_fd: int, folder: str, name: str, payload: bytes, shown: str, exclusive: bool) -> None:
    def at(child: str) -> str:
        return child if _RELATIVE else os.path.join(folder, child)

    fd_arg = {"dir_fd": dir_fd} if _RELATIVE else {}
    try:
        current = os.stat(at(name), follow_symlinks=False, **fd_arg)
    except FileNotFoundError:
        current = None
    except OSError as exc:
        raise WriteError(f"cannot write {shown}: {exc.strerror or exc}") from None
    if current is not None and exclusive:
        raise FileExistsError(errno.EEXIST, f"{shown} already exists")
    if current is not None and stat.S_ISLNK(current.st_mode):
        raise WriteError(f"refusing to write {shown}: it is a symbolic link (mllint never writes through one)")
    if current is not None and not stat.S_ISREG(current.st_mode):
        raise WriteError(f"refusing to write {shown}: it is not a regular file")
    mode = stat.S_IMODE(current.st_mode) if current is not None else 0o666 & ~_umask()
    temp = f".{name[:100]}.{os.urandom(6).hex()}.mllint-tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(at(temp), flags, 0o600, **fd_arg)
    except OSError as exc:
        raise WriteError(f"cannot write {shown}: {exc.strerror or exc}") from None
    try:
        try:
            view = memoryview(payload)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            if hasattr(os, "fchmod"):
                os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        if exclusive:
            _link_new(at(temp), at(name), fd_arg, shown)
        elif _RELATIVE:
            os.replace(temp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        else:  # pragma: no cover - platforms without dir_fd support
            os.replace(at(temp), at(name))
    except FileExistsError:
        try:
            os.unlink(at(temp), **fd_arg)
        except OSError:
            pass
        raise
    except OSError as exc:
        try:
            os.unlink(at(temp), **fd_arg)
        except OSError:
            pass
        raise WriteError(f"cannot write {shown}: {exc.strerror or exc} (the file is unchanged)") from None
    try:
        os.fsync(dir_fd)
    except OSError:
        pass  # some file systems cannot sync a folder; the rename is done either way


def _link_new(temp: str, name: str, fd_arg: dict[str, int], shown: str) -> None:
    """Give the complete temporary file its name only if the name is free (a hard link cannot replace),
    then drop the temporary name. Where hard links are not supported, a rename after a last check."""
    links = {"src_dir_fd": fd_arg["dir_fd"], "dst_dir_fd": fd_arg["dir_fd"]} if fd_arg else {}
    try:
        os.link(temp, name, follow_symlinks=False, **links)
    except FileExistsError:
        raise FileExistsError(errno.EEXIST, f"{shown} already exists") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
            raise
        try:
            os.stat(name, follow_symlinks=False, **fd_arg)
            raise FileExistsError(errno.EEXIST, f"{shown} already exists")
        except FileNotFoundError:
            pass
        if fd_arg:
            os.replace(temp, name, src_dir_fd=fd_arg["dir_fd"], dst_dir_fd=fd_arg["dir_fd"])
        else:  # pragma: no cover
            os.replace(temp, name)
        return
    os.unlink(temp, **fd_arg)


def create_exclusive(path: str | Path, data: bytes | str, *, confine: str | Path | None = None) -> bool:
    """Create ``path`` only if nothing (not even a dangling symlink) is there; False when something is."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    target = Path(os.path.abspath(path))
    if confine is not None and not inside(target.parent, confine):
        raise WriteError(f"refusing to write {path}: its folder resolves outside {confine}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(target, flags, 0o666 & ~_umask())
    except FileExistsError:
        return False
    except OSError as exc:
        raise WriteError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
    return True
