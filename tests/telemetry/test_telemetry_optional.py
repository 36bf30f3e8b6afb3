"""voicelive works without opentelemetry installed; telemetry explains what is missing."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import importlib.abc
    import sys

    class HideOpenTelemetry(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "opentelemetry" or name.startswith("opentelemetry."):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    for name in [m for m in sys.modules if m.startswith("opentelemetry")]:
        del sys.modules[name]
    sys.meta_path.insert(0, HideOpenTelemetry())

    import asyncio

    import voicelive
    import voicelive.aio
    import voicelive.models
    import voicelive.testing
    import voicelive.telemetry as telemetry
    from azure.core.credentials import AzureKeyCredential

    assert not any(m.startswith("opentelemetry") for m in sys.modules)
    telemetry.record_reconnect(reason="1006")  # a no-op, never an ImportError
    assert not telemetry.is_instrumented()

    try:
        telemetry.instrument()
    except ImportError as exc:
        assert "voicelive[telemetry]" in str(exc), exc
    else:
        raise AssertionError("instrument() should need opentelemetry")
    assert not telemetry.is_instrumented()
    try:
        telemetry.VoiceLiveInstrumentor()
    except ModuleNotFoundError as exc:  # the official class raises this type too
        assert "voicelive[telemetry]" in str(exc), exc
    else:
        raise AssertionError("VoiceLiveInstrumentor() should need opentelemetry")

    async def main():
        async with voicelive.testing.MockServer() as server:
            async with voicelive.aio.connect(
                endpoint=server.endpoint, credential=AzureKeyCredential("k"), model="m"
            ) as conn:
                event = await conn.recv()
                assert event.type == "session.created"
                try:
                    telemetry.observe(conn)
                except ImportError:
                    pass
                else:
                    raise AssertionError("observe() should need opentelemetry")
                assert conn._frame_observers == ()

    asyncio.run(main())
    assert not any(m.startswith("opentelemetry") for m in sys.modules)
    print("ok")
    """
)


def test_import_and_connect_without_opentelemetry() -> None:
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", SCRIPT],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
