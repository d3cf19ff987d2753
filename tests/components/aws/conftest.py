"""Options for the AWS component tests.

Golden summaries (tests/golden/aws/) are regenerated only on request:

    pytest tests/components/aws --update-golden      (or AGENTHA_UPDATE_GOLDEN=1 pytest)

pytest reads options from a sub-folder's conftest only when that folder is on the command line, so
from the repository root use the environment variable.
"""

from __future__ import annotations

import contextlib
import os

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    with contextlib.suppress(ValueError):  # another conftest may have registered it already
        parser.addoption(
            "--update-golden",
            action="store_true",
            default=False,
            help="rewrite tests/golden/aws/ from the current synthesis instead of comparing",
        )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    flag = bool(request.config.getoption("--update-golden", default=False))
    return flag or os.environ.get("AGENTHA_UPDATE_GOLDEN") == "1"
