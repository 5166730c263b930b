"""Writing an output file (--out) without ever replacing something that is not a regular file.

camaudit often runs as root (live capture). Renaming a temporary file over `--out` is right for a
regular file (a failed write leaves no half report) but destroyed /dev/null on a shared machine:
it became a 0600 regular file. So, by what the path is now:

    -, /dev/stdout          standard output (also /dev/stderr, /dev/fd/N: written to that descriptor)
    missing                 a new file (mode from the umask), written through a temporary file
    regular file            replaced through a temporary file, keeping its mode and owner
    character device, FIFO  written through (/dev/null, /dev/stdout, a named pipe); never replaced
    symbolic link           to a device or FIFO: written through; to anything else refused unless
                            follow_symlinks, then the rules apply to its target
    folder, socket, block device    refused
"""

from __future__ import annotations

import os
import re
import stat
import sys
import tempfile
from pathlib import Path

from models.errors import UsageError

STDOUT = "-"
_FD_PATH = re.compile(r"^/(?:dev/(?:fd/(?P<n>\d+)|(?P<name>stdout|stderr))|proc/self/fd/(?P<p>\d+))$")


def _refuse(path: Path, why: str, option: str) -> UsageError:
    return UsageError(f"Cannot write to {path} because {why}; choose another path with {option}.")


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _replace(path: Path, content: bytes, existing: os.stat_result | None) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.chmod(tmp, stat.S_IMODE(existing.st_mode) if existing else _umask_mode())
        if existing is not None and hasattr(os, "chown"):
            try:
                os.chown(tmp, existing.st_uid, existing.st_gid)   # root replacing a user's report keeps it theirs
            except PermissionError:
                pass
        os.replace(tmp, path)
    except BaseException:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        raise


def _write_through(path: Path, content: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))   # no O_CREAT, no O_TRUNC: the node stays
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)


def _descriptor(target: str) -> int | None:
    """The file descriptor `target` names ("-", /dev/stdout, /dev/fd/3), or None for a path."""
    if target == STDOUT:
        return 1
    named = _FD_PATH.match(target)
    if not named:
        return None
    if named["name"]:
        return 1 if named["name"] == "stdout" else 2
    return int(named["n"] or named["p"])


def write_output(target: str | Path, text: str | bytes, *, option: str = "--out", follow_symlinks: bool = False) -> str:
    """Write `text` (UTF-8; bytes as they are, e.g. a PDF) to `target` as described above.

    Returns:
        The absolute path of the regular file written, or "" for standard output, a device or a FIFO
        (so a caller never prints "/dev/stdout" into the stream it just wrote).

    Raises:
        UsageError: the path is a folder, socket, block device or (without follow_symlinks) a
            symbolic link, its folder is missing, or writing failed.
    """
    content = text if isinstance(text, bytes) else text.encode("utf-8")
    fd = _descriptor(str(target))
    if fd is not None:
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            with os.fdopen(os.dup(fd), "wb") as handle:     # a pipe, socket, terminal or redirected file alike
                handle.write(content)
        except OSError as exc:
            raise UsageError(f"Cannot write to {target} ({exc.strerror or exc}); choose another path with "
                             f"{option}.") from exc
        return ""
    path = Path(target).expanduser().absolute()
    try:
        existing: os.stat_result | None = os.lstat(path)
    except FileNotFoundError:
        existing = None
    except OSError as exc:
        raise _refuse(path, f"it cannot be examined ({exc.strerror or exc})", option) from exc
    if existing is not None and stat.S_ISLNK(existing.st_mode):
        pointed = os.stat(path) if path.exists() else None
        if pointed is not None and (stat.S_ISCHR(pointed.st_mode) or stat.S_ISFIFO(pointed.st_mode)):
            existing = pointed                 # e.g. a link to /dev/null: written through, nothing replaced
        elif not follow_symlinks:
            raise _refuse(path, f"it is a symbolic link to {os.readlink(path)} (give --follow-symlinks to "
                                "write to where it points)", option)
        else:
            path = Path(os.path.realpath(path))
            existing = pointed
    try:
        if existing is None:
            if not path.parent.is_dir():
                raise _refuse(path, f"the folder {path.parent} does not exist", option)
            _replace(path, content, None)
        elif stat.S_ISREG(existing.st_mode):
            _replace(path, content, existing)
        elif stat.S_ISCHR(existing.st_mode) or stat.S_ISFIFO(existing.st_mode):
            _write_through(path, content)
            return ""
        elif stat.S_ISDIR(existing.st_mode):
            raise _refuse(path, "it is a folder (give a file path)", option)
        else:
            kind = "a socket" if stat.S_ISSOCK(existing.st_mode) else "a block device or other special file"
            raise _refuse(path, f"it is {kind}", option)
    except OSError as exc:
        raise _refuse(path, f"writing failed ({exc.strerror or exc})", option) from exc
    return str(path)
