"""Options of the Kubernetes tests: `--regen-golden` rewrites tests/golden/kubernetes/ from the code.

Run it from this folder so pytest loads the option:
    pytest tests/components/kubernetes --regen-golden
then review the diff as a change of contract.
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--regen-golden",
        action="store_true",
        default=False,
        help="rewrite the golden Kubernetes manifests instead of comparing against them",
    )


@pytest.fixture
def regen_golden(request: pytest.FixtureRequest) -> bool:
    try:
        return bool(request.config.getoption("--regen-golden"))
    except ValueError:  # the option is registered only when this folder's conftest loads first
        return False
