"""Running the `troubadour` command in a subprocess, as a user does, and checking its error line.

(Imported by test modules; not a conftest, so its name cannot clash.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "TROUBADOUR_CACHE_DIR": str((cwd or Path.cwd()) / ".cache-test")}
    return subprocess.run([sys.executable, "-m", "troubadour", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout, env=env)


def one_line_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("troubadour: error:"), lines[0]
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
