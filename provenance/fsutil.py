"""Atomic writes: a killed build leaves the last good file or none, never half a file.

And caches kept after the answer (`keep`): a process that answers first (a server's child,
cli/child.py) hands its client the command's output and exit status, then writes what it
learned for the next command. Every cache is checked when read (a header, a key, a
digest), so a command that comes before the writes are done only does more work.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

_LATER: list[Callable[[], object]] | None = None  # the writes put off, once answer_first()


def _default_mode() -> int:
    # mkstemp creates 0600 files; outputs should get the mode open() would give them.
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


DEFAULT_MODE = _default_mode()


def use_umask(mask: int) -> None:
    """Give this process the umask `mask`, and its atomic writes the mode that goes with
    it (a server's child takes its client's: cli/child.py)."""
    global DEFAULT_MODE
    os.umask(mask)
    DEFAULT_MODE = 0o666 & ~mask


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes | Sequence[bytes], mode: int | None = None,
                       durable: bool = True) -> None:
    """`data`, or its parts one after another (a large file need not be joined first).
    `durable=False` for a cache that is checked when read (a header, a key, a digest):
    after a crash it may be empty, short or missing, which reads as no cache, and not
    waiting for the disk saves a status a millisecond or more per file (ten files after
    an edit)."""
    import tempfile  # here: the commit hooks import this module to write now and then, not on every commit

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.writelines((data,) if isinstance(data, bytes) else data)  # a book's record is 50,000 parts
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.chmod(tmp, DEFAULT_MODE if mode is None else mode)
        if not durable:
            # ext4 writes a file's data out at once when a rename replaces another file
            # (auto_da_alloc), 0.5 ms per 400 KB measured: a cache is read as missing for
            # the moment between, which costs a reader only the time it saves.
            try:
                os.unlink(target)
            except FileNotFoundError:
                pass
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError) and exc.filename is None:
            # A full disk fails a write on a descriptor, which names no file: name it.
            raise OSError(exc.errno, exc.strerror, str(target)) from None
        raise


def write_text_atomic(path: str | os.PathLike[str], text: str, mode: int | None = None,
                      durable: bool = True) -> None:
    write_bytes_atomic(path, text.encode("utf-8"), mode, durable)


def write_cache(path: str | os.PathLike[str], data: str | bytes | Sequence[bytes]) -> bool:
    """Write a cache (checked when read: not flushed to disk, see write_bytes_atomic);
    False when it could not be (a read-only repository, a full disk): the next command
    then only does more work."""
    try:
        write_bytes_atomic(path, data.encode("utf-8") if isinstance(data, str) else data, durable=False)
    except OSError:
        return False
    return True


def keep(write: Callable[[], object]) -> None:
    """Write a cache: now, or once the answer is out in a process that answers first.
    `write` must not depend on what the command does after it is called."""
    if _LATER is None:
        write()
    else:
        _LATER.append(write)


def answer_first() -> None:
    """From now on, `keep` puts cache writes off until `write_kept`."""
    global _LATER
    _LATER = []


def write_kept() -> None:
    """The writes `keep` put off, in order; a failure is printed and costs only time."""
    import traceback

    global _LATER
    later, _LATER = _LATER or [], None
    for write in later:
        try:
            write()
        except Exception:  # noqa: BLE001  (a cache not written is no reason to skip the others)
            traceback.print_exc()
