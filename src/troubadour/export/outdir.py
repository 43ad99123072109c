"""Output folders that appear whole or not at all.

Everything is written into a hidden temporary folder beside the target; on
success it replaces the target in one rename. On any failure (a full disk,
Ctrl-C) the temporary folder is removed and the target is left as it was.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from pathlib import Path
from typing import Iterator

from troubadour.errors import OutputError


def check_target(target: Path, *, force: bool) -> None:
    """Refuse a non-empty target without --force, a target that is a file, or an unwritable parent."""
    if target.exists() and not target.is_dir():
        raise OutputError(f"output path {str(target)!r} is a file; give a folder path with -o")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise OutputError(f"output folder {str(target)!r} is not empty; pass --force to replace it or choose another -o")
    parent = target.parent
    probe = parent
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir() or not os.access(probe, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write to {str(parent)!r} (permission denied); choose another -o")


@contextlib.contextmanager
def staged_folder(target: Path, *, force: bool) -> Iterator[Path]:
    """Yield a temporary folder; on success it becomes `target`."""
    target = Path(target).absolute()
    check_target(target, force=force)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = target.parent / f".{target.name}.partial-{os.getpid()}"
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir()
    except OSError as exc:
        raise OutputError(f"cannot create the output folder beside {str(target)!r}: {exc.strerror}") from None
    try:
        yield staging
        old = None
        if target.exists():
            old = target.parent / f".{target.name}.old-{os.getpid()}"
            target.rename(old)
        staging.rename(target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise OutputError(f"the disk is full while writing {str(target)!r}; free some space and run again") from None
        if isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise OutputError(f"cannot write {str(target)!r}: {exc.strerror}; choose another -o") from None
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write a file via a temporary sibling and a rename."""
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        temporary.write_bytes(data)
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
