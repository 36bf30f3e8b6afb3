"""The live tier: tests marked ``live`` talk to the real service and run only when
``AZURE_COGNITIVE_SERVICES_ENDPOINT`` is set (CI has no network, so there they are skipped
with that reason)."""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if os.environ.get("AZURE_COGNITIVE_SERVICES_ENDPOINT"):
        return
    skip = pytest.mark.skip(reason="live tier: set AZURE_COGNITIVE_SERVICES_ENDPOINT to run")
    for item in items:
        if item.get_closest_marker("live"):
            item.add_marker(skip)
