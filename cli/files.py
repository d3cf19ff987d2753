"""Writing files safely: never half a file, never over a user's file without --force.

All files of one command are staged as temporary files beside their targets first; only when every
one is staged are they moved into place with `os.replace` (atomic on POSIX). A failure while staging
leaves the tree exactly as it was. Files whose content would not change are left untouched, so
re-running a command with the same inputs changes nothing.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from blueprints.errors import Location, Problem, SpecError

Status = Literal["created", "updated", "unchanged"]


@dataclass(frozen=True)
class Written:
    path: Path
    status: Status


def plan_writes(files: Mapping[Path, str], *, force: bool) -> list[Written]:
    """What writing `files` would do; raises SpecError listing every file that would be overwritten."""
    result: list[Written] = []
    conflicts: list[Problem] = []
    for path, text in files.items():
        if path.is_dir():
            conflicts.append(
                Problem(
                    rule="file-exists",
                    path=str(path),
                    message="a folder is in the way",
                    fix="choose another location",
                    location=Location(str(path)),
                )
            )
        elif path.exists():
            if path.read_bytes() == text.encode("utf-8"):
                result.append(Written(path, "unchanged"))
            elif force:
                result.append(Written(path, "updated"))
            else:
                conflicts.append(
                    Problem(
                        rule="file-exists",
                        path=str(path),
                        message="file exists with other content; not overwritten",
                        fix="move it away, or re-run with --force to overwrite it",
                        location=Location(str(path)),
                    )
                )
        else:
            result.append(Written(path, "created"))
    if conflicts:
        raise SpecError.of(conflicts)
    return result


def write_files(files: Mapping[Path, str], *, force: bool = False) -> list[Written]:
    """Write every file atomically, or none of them."""
    plan = plan_writes(files, force=force)
    staged: list[tuple[str, Path]] = []
    try:
        for item in plan:
            if item.status == "unchanged":
                continue
            item.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{item.path.name}.", suffix=".tmp", dir=item.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(files[item.path])
                handle.flush()
                os.fsync(handle.fileno())
            if item.path.exists():
                os.chmod(tmp, item.path.stat().st_mode & 0o777)
            else:
                os.chmod(tmp, 0o644)
            staged.append((tmp, item.path))
    except BaseException:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
    for tmp, target in staged:
        os.replace(tmp, target)
    return plan
