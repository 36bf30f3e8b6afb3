"""Fixtures for the tests of every directory (helpers to import are in shared_support.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared_support import LoopbackTLS, loopback_tls


@pytest.fixture(name="loopback_tls")
def loopback_tls_fixture(tmp_path: Path) -> LoopbackTLS:
    """TLS on 127.0.0.1 with a CA made for this test: see :class:`shared_support.LoopbackTLS`."""
    return loopback_tls(tmp_path)
