"""bench/paired.py's process runner (the whole benchmark runs minutes; tests/bench/test_floors.py covers the floors)."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from bench import paired


def test_a_child_writing_much_to_stderr_is_measured_not_deadlocked(tmp_path: Path) -> None:
    # 1 MB on stderr fills any pipe: with stderr=PIPE read only after wait4, the child never exited
    code = "import sys; sys.stderr.write('x' * 1_000_000); print('done')"
    result: list[paired.Run] = []
    worker = threading.Thread(
        target=lambda: result.append(paired.run([sys.executable, "-c", code], tmp_path / "out.txt")), daemon=True
    )
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive()
    assert (tmp_path / "out.txt").read_text() == "done\n"
    (run,) = result
    assert run.cpu > 0
    assert run.rss_mib > 0
