"""pytest plugin (registered through the ``pytest11`` entry point; every fixture is opt-in).

Fixtures:

* ``voicelive_server``: a running :class:`~voicelive.testing.MockServer` (the emulator), or a
  cassette replay when the test has the ``voicelive_cassette`` marker.
* ``voicelive_connection``: a :class:`~voicelive.aio.VoiceLiveConnection` connected to it
  (test key, model ``gpt-realtime``).

Markers:

* ``@pytest.mark.voicelive_server(**kwargs)``: keyword arguments for the ``MockServer``
  (``responder=``, ``faults=``, ``session=``, ``pace=``, ...).
* ``@pytest.mark.voicelive_cassette(path, match=..., timing=...)``: ``voicelive_server``
  replays this cassette: a :class:`~pathlib.Path`, a path relative to the test file (else to
  the rootdir), or a packaged cassette such as ``voicelive.testing.cassettes.text_turn``. A
  mismatch between the app's frames and the recording fails the test; a missing file is one
  line naming the places looked at.
* ``@pytest.mark.voicelive_connection(**kwargs)``: extra keyword arguments for
  :func:`voicelive.aio.connect`.

The fixtures are async and run on pytest-asyncio, with no configuration needed:

* an ``async def`` test that uses a voicelive fixture or marker is marked
  ``@pytest.mark.asyncio`` by this plugin, so it runs in pytest-asyncio's default *strict*
  mode too (``asyncio_mode = "auto"`` works as well);
* when the project leaves ``asyncio_default_fixture_loop_scope`` unset, the plugin sets it to
  ``"function"`` (pytest-asyncio's announced default), so pytest-asyncio does not warn about it.
  A value the project sets (in its ini file or with ``-o``) is never changed.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Generator, Sequence
from pathlib import Path
from typing import Any

import pytest
from azure.core.credentials import AzureKeyCredential

from ..aio import VoiceLiveConnection, connect
from . import cassettes
from ._server import MockServer

__all__ = [
    "pytest_configure",
    "pytest_pycollect_makeitem",
    "voicelive_connection",
    "voicelive_server",
]

try:  # pytest-asyncio is optional for users of the plugin
    from pytest_asyncio import fixture as _fixture

    _HAVE_PYTEST_ASYNCIO = True
except ImportError:  # pragma: no cover - exercised only without pytest-asyncio
    _fixture = pytest.fixture  # type: ignore[assignment]
    _HAVE_PYTEST_ASYNCIO = False

TEST_KEY = "voicelive-test-key"
"""The API key the ``voicelive_connection`` fixture uses."""

_FIXTURES = frozenset({"voicelive_server", "voicelive_connection"})
_MARKERS = ("voicelive_server", "voicelive_cassette", "voicelive_connection")
_LOOP_SCOPE = "asyncio_default_fixture_loop_scope"


def _default_fixture_loop_scope(config: pytest.Config) -> None:
    """Set pytest-asyncio's fixture loop scope to ``"function"`` when the project did not.

    pytest offers no public setter for another plugin's ini value; the value goes into the
    config's ini cache, which ``getini`` reads first. A value from the ini file or ``-o`` is
    left alone.
    """
    try:
        current = config.getini(_LOOP_SCOPE)
    except ValueError:  # pytest-asyncio is not installed: nothing to configure
        return
    cache = getattr(config, "_inicache", None)
    if not current and isinstance(cache, dict):
        cache[_LOOP_SCOPE] = "function"


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Register the plugin's markers; default pytest-asyncio's fixture loop scope.

    ``tryfirst``: runs before pytest-asyncio's ``pytest_configure``, which warns when the
    loop scope is unset.
    """
    if _HAVE_PYTEST_ASYNCIO:
        _default_fixture_loop_scope(config)
    config.addinivalue_line(
        "markers",
        "voicelive_server(**kwargs): keyword arguments for the MockServer of the "
        "voicelive_server fixture",
    )
    config.addinivalue_line(
        "markers",
        "voicelive_cassette(path, match='type', timing='fast'): the voicelive_server fixture "
        "replays this cassette (path relative to the test file)",
    )
    config.addinivalue_line(
        "markers",
        "voicelive_connection(**kwargs): extra keyword arguments for connect() in the "
        "voicelive_connection fixture",
    )


def _uses_voicelive(item: pytest.Function) -> bool:
    names = set(getattr(item, "fixturenames", ()))
    return bool(names & _FIXTURES) or any(
        item.get_closest_marker(name) is not None for name in _MARKERS
    )


@pytest.hookimpl(hookwrapper=True, trylast=True)
def pytest_pycollect_makeitem(
    collector: pytest.Module | pytest.Class, name: str, obj: object
) -> Generator[None, Any, None]:
    """Mark ``async def`` tests that use voicelive's fixtures or markers ``asyncio``.

    ``trylast``: this wrapper sits inside pytest-asyncio's, so the mark is there when
    pytest-asyncio decides which collected functions are asyncio tests (strict mode).
    """
    outcome = yield
    if not _HAVE_PYTEST_ASYNCIO or not inspect.iscoroutinefunction(obj):
        return
    try:
        result = outcome.get_result()
    except BaseException:  # collection errors are reported by pytest as they are
        return
    items = result if isinstance(result, Sequence) else [result]
    for item in items:
        if (
            isinstance(item, pytest.Function)
            and item.get_closest_marker("asyncio") is None
            and _uses_voicelive(item)
        ):
            item.add_marker(pytest.mark.asyncio)


def _marker_kwargs(request: pytest.FixtureRequest, name: str) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers(name))):
        kwargs.update(marker.kwargs)
    return kwargs


def _cassette_path(request: pytest.FixtureRequest, raw: str | Path) -> Path:
    """The cassette file a marker names (fails the test with one line when there is none)."""
    if isinstance(raw, str) and raw.startswith(cassettes.PREFIX):
        try:
            return cassettes.path(raw)
        except FileNotFoundError as exc:
            message = str(exc)
        pytest.fail(f"@pytest.mark.voicelive_cassette: {message}", pytrace=False)
    path = Path(raw)
    candidates = (
        [path]
        if path.is_absolute()
        else [Path(str(request.node.path)).parent / path, Path(str(request.config.rootpath)) / path]
    )
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    looked = " and ".join(str(c) for c in dict.fromkeys(candidates))
    pytest.fail(
        f"@pytest.mark.voicelive_cassette: cassette {str(raw)!r} not found (looked at "
        f"{looked}); packaged examples: voicelive.testing.cassettes.{', .'.join(cassettes.NAMES)}",
        pytrace=False,
    )


@_fixture
async def voicelive_server(request: pytest.FixtureRequest) -> AsyncIterator[MockServer]:
    """A :class:`MockServer` on 127.0.0.1 for one test (the emulator, or a cassette replay)."""
    kwargs = _marker_kwargs(request, "voicelive_server")
    cassette = request.node.get_closest_marker("voicelive_cassette")
    if cassette is not None:
        if not cassette.args:
            raise pytest.UsageError("@pytest.mark.voicelive_cassette needs the cassette path")
        server = MockServer.replay(
            _cassette_path(request, cassette.args[0]), **{**kwargs, **cassette.kwargs}
        )
    else:
        server = MockServer(**kwargs)
    async with server:
        yield server


@_fixture
async def voicelive_connection(
    voicelive_server: MockServer, request: pytest.FixtureRequest
) -> AsyncIterator[VoiceLiveConnection]:
    """A connection to ``voicelive_server`` (test key, model ``gpt-realtime``)."""
    kwargs: dict[str, Any] = {
        "credential": AzureKeyCredential(TEST_KEY),
        "model": "gpt-realtime",
        **_marker_kwargs(request, "voicelive_connection"),
    }
    async with connect(endpoint=voicelive_server.endpoint, **kwargs) as connection:
        yield connection
