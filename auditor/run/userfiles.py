"""Reading a file the user named (credentials, target lists, nmap XML): every failure is one sentence.

One place for the OS errors a path can meet, so the credentials file and the target files say the
same thing the same way.
"""

from __future__ import annotations

from pathlib import Path

from models.errors import CamauditError


def read_user_text(path: str | Path, what: str, error: type[CamauditError], *, max_bytes: int | None = None,
                   encoding: str = "utf-8", kind_hint: str = "a file") -> str:
    """The text of `path`, or `error` with one sentence naming `what` and the fix.

    Args:
        what: the file's role in the message, e.g. "credentials file".
        max_bytes: refuse larger files without reading them whole.
        kind_hint: what to give instead of a directory, e.g. "a TOML file".
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read() if max_bytes is None else handle.read(max_bytes + 1)
    except FileNotFoundError as exc:
        raise error(f"Cannot read the {what} {path}: no such file.") from exc
    except PermissionError as exc:
        raise error(f"Cannot read the {what} {path}: permission denied.") from exc
    except IsADirectoryError as exc:
        raise error(f"The {what} {path} is a directory; give the path of {kind_hint}.") from exc
    except OSError as exc:
        raise error(f"Cannot read the {what} {path} ({exc.strerror or exc}).") from exc
    if max_bytes is not None and len(data) > max_bytes:
        raise error(f"The {what} {path} is larger than {max_bytes >> 20} MiB; split it.")
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise error(f"The {what} {path} is not UTF-8 text.") from exc
