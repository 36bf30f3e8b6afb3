"""Item 6: secrets never leak; redirects, plain ws://, TLS, size limits, decompression bombs.

* The canary key and token (``_rel_support``) authenticate every connection of this suite;
  ``conftest.py`` scans every log record of every test at every level (voicelive, aiohttp and
  asyncio loggers at DEBUG) and the tests scan every exception and ``repr`` they meet. Here:
  every failure path with both credential kinds, the cassette recorder's files, and the
  ``voicelive`` CLI's output (stdout and stderr, with ``--debug`` tracebacks).
* Redirects on the handshake are refused (every 3xx, cross-origin, owned or caller session):
  the redirect target never sees a request.
* Credentials never go over plain ``ws://`` to a non-loopback host without the explicit
  ``allow_insecure_credentials`` opt-in: refused before any I/O (the token credential is not
  even asked for a token); with the opt-in the server does get the key.
* TLS verification is on by default; a custom ``ssl.SSLContext`` can trust a private CA.
* ``max_msg_size`` (default 4 MiB) is enforced on the frame header, before buffering.
* permessage-deflate is off by default; when enabled, a small frame inflating past
  ``max_msg_size`` is refused with 1009 and bounded memory.
* Nothing from the wire is evaluated or unpickled (source scan + hostile payloads).
"""

from __future__ import annotations

import ast
import asyncio
import json
import os
import pickle
import struct
import sys
import tracemalloc
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from _rel_support import (
    CANARIES,
    CANARY_KEY,
    CANARY_TOKEN,
    FIGURES,
    CanaryTokenCredential,
    MiB,
    assert_clean,
    key,
    session_created,
    text_delta,
)
from aiohttp import web
from azure.core.credentials import AccessToken

import voicelive
from shared_support import LoopbackTLS, serve_app
from voicelive._protocol import DEFAULT_MAX_MESSAGE_SIZE
from voicelive.aio import connect
from voicelive.exceptions import (
    AuthenticationError,
    ConnectionClosed,
    ConnectionClosedError,
    HandshakeError,
    LocalProtocolError,
    MessageTooLargeError,
    RedirectRefusedError,
    RemoteProtocolError,
    VoiceLiveError,
)
from voicelive.exceptions import ConnectionError as VLConnectionError
from voicelive.models import UnknownServerEvent
from voicelive.testing import MockServer, MockServerConnection, record

CREDENTIALS = {"key": key, "token": CanaryTokenCredential}


# --------------------------------------------------------------------------- canary scans


def _exception_texts(exc: BaseException) -> list[str]:
    import traceback

    return [str(exc), repr(exc), "".join(traceback.format_exception(exc))]


@pytest.mark.parametrize("cred", sorted(CREDENTIALS))
async def test_canary_never_leaks_on_any_path(cred: str) -> None:
    """Every success and failure path with the canary credential: no exception text, no
    traceback, no repr, no log record (conftest) contains it."""
    credential = CREDENTIALS[cred]()
    texts: list[str] = []

    async def chatty(conn: MockServerConnection) -> None:
        await conn.send_raw(session_created())
        await conn.send_raw("{broken")
        await conn.send_raw('{"type":"future.event","x":1}')
        await conn.send_raw('{"type":"session.created","session":[]}')
        await conn.send_raw(text_delta("big", "x" * 2048))
        await conn.close(1011, "server exploded")

    async def fail(request: web.Request) -> web.StreamResponse:
        return web.Response(status=int(request.query.get("status", "503")))

    answer = asyncio.Event()

    async def slow(request: web.Request) -> web.StreamResponse:
        await answer.wait()  # answered only after the client's handshake timeout
        return web.Response(status=500)

    routes = {"/fail/voice-live/realtime": fail, "/slow/voice-live/realtime": slow}
    async with serve_app(routes) as http:
        async with MockServer(chatty) as server, MockServer(api_key="other") as locked:
            async with connect(
                endpoint=server.endpoint,
                credential=credential,
                model="m",
                connection_options={"max_msg_size": 1024},
            ) as conn:
                texts.append(repr(conn))
                await conn.session.update(session={"instructions": "hi"})
                while True:
                    try:
                        texts.append(repr(await conn.recv()))
                    except ConnectionClosed as exc:
                        texts += _exception_texts(exc)
                        break
                    except VoiceLiveError as exc:
                        texts += _exception_texts(exc)
                with pytest.raises(ConnectionClosed) as late:
                    await conn.response.create()
                texts += _exception_texts(late.value)
            failures: list[tuple[type[BaseException], dict[str, Any]]] = [
                (AuthenticationError, {"endpoint": http + "/fail", "query": {"status": "401"}}),
                (AuthenticationError, {"endpoint": http + "/fail", "query": {"status": "403"}}),
                (HandshakeError, {"endpoint": http + "/fail"}),
                (VLConnectionError, {"endpoint": "http://127.0.0.1:9"}),
                (LocalProtocolError, {"endpoint": "http://voicelive.invalid"}),
                (
                    HandshakeError,
                    {"endpoint": http + "/slow", "connection_options": {"handshake_timeout": 0.1}},
                ),
            ]
            if cred == "key":  # the mock server checks keys (it accepts any bearer token)
                failures.append((AuthenticationError, {"endpoint": locked.endpoint}))
            for error_type, kwargs in failures:
                with pytest.raises(error_type) as info:
                    await connect(credential=credential, **kwargs)
                texts += _exception_texts(info.value)
            answer.set()
    for text in texts:
        for canary in CANARIES:
            assert canary not in text, text[:500]
    assert len(texts) > 20


async def test_canary_absent_from_recorded_cassettes(tmp_path: Path) -> None:
    """The cassette recorder keeps headers and credential query parameters out of files."""
    paths = []
    for name, credential in (("key", key()), ("token", CanaryTokenCredential())):
        path = tmp_path / f"{name}.jsonl"
        async with (
            MockServer() as server,
            record(
                path,
                endpoint=server.endpoint,
                credential=credential,
                model="gpt-realtime",
                query={"api-key": CANARY_KEY, "Authorization": "Bearer " + CANARY_TOKEN},
            ) as conn,
        ):
            await conn.session.update(session={"instructions": "be brief"})
            await conn.conversation.item.create(
                item={
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": "hi"}],
                }
            )
            await conn.response.create()
            await conn.wait_for("response.done", timeout=10)
        paths.append(path)
    for path in paths:
        text = path.read_text()
        assert len(text.splitlines()) > 5
        for canary in CANARIES:
            assert canary not in text, f"{canary} in {path.name}"
    FIGURES["cassettes scanned for canaries"] = len(paths)


async def _run_cli(*args: str, env: dict[str, str], cwd: Path) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "voicelive",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=env,
        cwd=cwd,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 120)
    return proc.returncode or 0, out.decode(errors="replace")


@pytest.mark.timeout(180)  # heavy: see [tool.pytest.ini_options] timeout
async def test_canary_absent_from_cli_output(tmp_path: Path) -> None:
    """``voicelive`` commands run against a local server with the canary key in the
    environment (and on failing paths with ``--debug`` tracebacks) never print it."""
    env = {**os.environ, "AZURE_COGNITIVE_SERVICES_KEY": CANARY_KEY, "PYTHONWARNINGS": "ignore"}
    env.pop("AZURE_COGNITIVE_SERVICES_ENDPOINT", None)
    outputs: dict[str, tuple[int, str]] = {}
    cassette = tmp_path / "cli.jsonl"
    async with MockServer() as server, MockServer(api_key="other") as locked:
        ok = server.endpoint
        runs = {
            "check": ["check", "--endpoint", ok],
            "check --json --debug": ["--debug", "check", "--json", "--endpoint", ok],
            "demo --text": [
                "demo",
                "--text",
                "hello",
                "--fast",
                "--endpoint",
                ok,
                "--output",
                str(tmp_path / "r.wav"),
            ],
            "demo --json -v": [
                "demo",
                "--json",
                "-v",
                "--text",
                "hi",
                "--endpoint",
                ok,
                "--output",
                str(tmp_path / "r2.wav"),
            ],
            "record": [
                "record",
                "--cassette",
                str(cassette),
                "--text",
                "hi",
                "--fast",
                "--endpoint",
                ok,
                "--output",
                str(tmp_path / "r3.wav"),
            ],
            "check 401 --debug": ["--debug", "check", "--endpoint", locked.endpoint],
            "demo 401 --debug": ["--debug", "demo", "--text", "hi", "--endpoint", locked.endpoint],
            "check refused --debug": ["--debug", "check", "--endpoint", "http://127.0.0.1:9"],
            "check insecure --debug": [
                "--debug",
                "check",
                "--endpoint",
                "http://voicelive.invalid",
            ],
        }
        for name, args in runs.items():
            outputs[name] = await _run_cli(*args, env=env, cwd=tmp_path)
    outputs["replay"] = await _run_cli("replay", "-v", str(cassette), env=env, cwd=tmp_path)
    outputs["replay --json"] = await _run_cli(
        "replay", "--json", str(cassette), env=env, cwd=tmp_path
    )
    assert outputs["check"][0] == 0, outputs["check"][1][-2000:]
    assert outputs["check 401 --debug"][0] != 0
    for name, (_code, out) in outputs.items():
        assert out.strip(), name
        for canary in CANARIES:
            assert canary not in out, f"{canary} printed by `voicelive {name}`:\n{out[-2000:]}"
    for canary in CANARIES:
        assert canary not in cassette.read_text()
    FIGURES["CLI runs scanned for canaries"] = len(outputs)


# --------------------------------------------------------------------------- redirects


@pytest.fixture
async def redirect_pair() -> AsyncIterator[tuple[str, list[dict[str, str]]]]:
    """Server A redirects (status from the path) to server B (another origin) that records."""
    hits: list[dict[str, str]] = []

    async def target(request: web.Request) -> web.StreamResponse:
        hits.append(dict(request.headers))
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.close()
        return ws

    async with serve_app({"/{tail:.*}": target}) as url_b:

        async def redirect(request: web.Request) -> web.StreamResponse:
            status = int(request.match_info["status"])
            return web.Response(status=status, headers={"Location": f"{url_b}/voice-live/realtime"})

        async with serve_app({"/r{status}/voice-live/realtime": redirect}) as url_a:
            yield url_a, hits


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("cred", sorted(CREDENTIALS))
@pytest.mark.parametrize("own_session", [True, False], ids=["owned", "caller-session"])
async def test_redirects_are_refused_cross_origin(
    redirect_pair: tuple[str, list[dict[str, str]]], status: int, cred: str, own_session: bool
) -> None:
    base, hits = redirect_pair
    session = None if own_session else aiohttp.ClientSession()
    try:
        with pytest.raises(RedirectRefusedError) as info:
            await connect(
                endpoint=f"{base}/r{status}",
                credential=CREDENTIALS[cred](),
                client_session=session,
            )
        assert info.value.status_code == status
        assert_clean(info.value)
        assert hits == []  # the other origin never saw the request, let alone the key
    finally:
        if session is not None:
            await session.close()


# --------------------------------------------------------------------------- plain ws://


class _Resolver(aiohttp.abc.AbstractResolver):
    """Resolves every name to 127.0.0.1 (stands in for a remote host on this loopback box)."""

    async def resolve(self, host: str, port: int = 0, family: int = 0) -> list[dict[str, Any]]:
        return [
            {
                "hostname": host,
                "host": "127.0.0.1",
                "port": port,
                "family": 2,
                "proto": 0,
                "flags": 0,
            }
        ]

    async def close(self) -> None:
        pass


class _SpyCredential(CanaryTokenCredential):
    def __init__(self) -> None:
        self.calls = 0

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.calls += 1
        return await super().get_token(*scopes)


@pytest.mark.parametrize(
    "host", ["voicelive.example.com", "myres.services.ai.azure.com", "intranet-box"]
)
async def test_credentials_never_go_over_plain_ws_to_a_remote_host(host: str) -> None:
    async with MockServer() as server:
        port = server.port
        connector = aiohttp.TCPConnector(resolver=_Resolver())
        async with aiohttp.ClientSession(connector=connector) as session:
            for credential in (key(), _SpyCredential()):
                with pytest.raises(LocalProtocolError, match="unencrypted") as info:
                    await connect(
                        endpoint=f"http://{host}:{port}",
                        credential=credential,
                        client_session=session,
                    )
                assert_clean(info.value)
                if isinstance(credential, _SpyCredential):
                    assert credential.calls == 0  # no token was even minted
            assert server.connections == []  # nothing was sent anywhere
            # With the explicit opt-in it connects -- and the server does get the key, which
            # shows the refusal above is what kept it off the wire.
            async with connect(
                endpoint=f"http://{host}:{port}",
                credential=key(),
                client_session=session,
                connection_options={"allow_insecure_credentials": True},
            ) as conn:
                await conn.recv()
            assert server.connections[0].headers["api-key"] == CANARY_KEY


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "voice.localhost"])
async def test_loopback_plain_ws_needs_no_opt_in(host: str) -> None:
    async with MockServer(host="127.0.0.1") as server:
        connector = aiohttp.TCPConnector(resolver=_Resolver())
        async with (
            aiohttp.ClientSession(connector=connector) as session,
            connect(
                endpoint=f"http://{host}:{server.port}", credential=key(), client_session=session
            ) as conn,
        ):
            assert (await conn.recv()).type == "session.created"


# --------------------------------------------------------------------------- TLS


@pytest.fixture
async def tls_server(
    loopback_tls: LoopbackTLS,
) -> AsyncIterator[tuple[str, LoopbackTLS, list[dict[str, str]]]]:
    seen: list[dict[str, str]] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        seen.append(dict(request.headers))
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(session_created())
        async for _msg in ws:
            pass
        return ws

    async with serve_app(handler, ssl_context=loopback_tls.server_context) as url:
        yield url, loopback_tls, seen


async def test_tls_verification_is_on_by_default(
    tls_server: tuple[str, LoopbackTLS, list[dict[str, str]]],
) -> None:
    url, _, seen = tls_server
    with pytest.raises(VLConnectionError, match=r"(?i)certificate") as info:
        await connect(endpoint=url, credential=key())
    assert not isinstance(info.value, HandshakeError)  # never reached HTTP
    assert_clean(info.value)
    assert seen == []  # no request (and no key) went to the unverified server


async def test_tls_custom_context_trusting_the_cert_connects(
    tls_server: tuple[str, LoopbackTLS, list[dict[str, str]]],
) -> None:
    url, tls, seen = tls_server
    context = tls.client_context()
    async with connect(
        endpoint=url,
        credential=key(),
        connection_options={"ssl": context},
    ) as conn:
        assert (await conn.recv()).type == "session.created"
    assert seen[0]["api-key"] == CANARY_KEY  # the request went over the verified channel
    # The same trusted CA does not make a different host name acceptable.
    with pytest.raises(VLConnectionError, match=r"(?i)certificate|hostname|match"):
        await connect(
            endpoint=url.replace("127.0.0.1", "localhost"),
            credential=key(),
            connection_options={"ssl": context},
        )


async def test_tls_option_rejects_non_context_values() -> None:
    with pytest.raises(TypeError):
        await connect(
            endpoint="https://127.0.0.1:1", credential=key(), connection_options={"ssl": "no"}
        )


# --------------------------------------------------------------------------- message size


@pytest.mark.parametrize("extra", [-1, 1, 1000])
async def test_default_max_message_size_is_4_mib(extra: int) -> None:
    """Just under 4 MiB is delivered; over it closes with 1009. (A frame of exactly
    ``max_msg_size`` bytes is refused too: aiohttp treats its limit as exclusive.)"""
    assert 4 * MiB == DEFAULT_MAX_MESSAGE_SIZE
    head = '{"type":"x.big","event_id":"b","pad":"'
    frame = head + "a" * (DEFAULT_MAX_MESSAGE_SIZE + extra - len(head) - 2) + '"}'
    assert len(frame) == DEFAULT_MAX_MESSAGE_SIZE + extra

    async def handler(conn: MockServerConnection) -> None:
        await conn.send_raw(frame)
        await conn.send_raw(text_delta("after"))
        await asyncio.sleep(0.3)

    async with (
        MockServer(handler) as server,
        connect(endpoint=server.endpoint, credential=key()) as conn,
    ):
        if extra < 0:
            event = await conn.recv()
            assert isinstance(event, UnknownServerEvent)
            assert (await conn.recv()).event_id == "after"
        else:
            with pytest.raises(MessageTooLargeError) as info:
                await conn.recv()
            assert_clean(info.value)
            with pytest.raises(ConnectionClosedError) as closed:
                await conn.recv()
            assert closed.value.code == 1009


async def test_oversize_frame_is_refused_from_its_header_without_buffering() -> None:
    """A frame announcing 1 GiB is refused on its length alone: memory stays flat."""

    async def giant(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        assert request.transport is not None
        # FIN + TEXT, 64-bit length 1 GiB, then a little payload (never the rest).
        request.transport.write(b"\x81\x7f" + struct.pack("!Q", 1 << 30) + b"a" * 65536)
        await ws.receive()  # open until the client closes or drops the connection
        return ws

    async with serve_app(giant) as url:
        tracemalloc.start()
        try:
            async with connect(endpoint=url, credential=key()) as conn:
                with pytest.raises(MessageTooLargeError):
                    await asyncio.wait_for(conn.recv(), 10)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 4 * MiB, peak


# --------------------------------------------------------------------------- deflate bombs


def _deflate_bomb(inflated: int) -> bytes:
    """A raw permessage-deflate payload that inflates to ``inflated`` bytes of ``{"a":...``."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    parts = [compressor.compress(b'{"type":"x","pad":"')]
    chunk = b"a" * MiB
    for _ in range(inflated // MiB):
        parts.append(compressor.compress(chunk))
    parts.append(compressor.flush(zlib.Z_SYNC_FLUSH))
    payload = b"".join(parts)
    assert payload.endswith(b"\x00\x00\xff\xff")
    return payload[:-4]


def _frame(payload: bytes, rsv1: bool) -> bytes:
    first = 0x80 | (0x40 if rsv1 else 0) | 0x1  # FIN (+ RSV1: compressed) + TEXT
    if len(payload) < 126:
        return bytes([first, len(payload)]) + payload
    if len(payload) < 65536:
        return bytes([first, 126]) + struct.pack("!H", len(payload)) + payload
    return bytes([first, 127]) + struct.pack("!Q", len(payload)) + payload


@pytest.fixture
async def bomb_server() -> AsyncIterator[tuple[str, dict[str, Any]]]:
    bomb = _deflate_bomb(256 * MiB)
    state: dict[str, Any] = {"bomb_bytes": len(bomb), "negotiated": None}

    async def handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(compress=True)
        await ws.prepare(request)
        state["negotiated"] = ws.compress
        assert request.transport is not None
        request.transport.write(_frame(bomb, rsv1=True))
        await ws.receive()  # open until the client closes or drops the connection
        return ws

    async with serve_app(handler) as url:
        yield url, state


async def test_decompression_bomb_is_refused_with_bounded_memory(
    bomb_server: tuple[str, dict[str, Any]],
) -> None:
    endpoint, state = bomb_server
    tracemalloc.start()
    try:
        async with connect(
            endpoint=endpoint, credential=key(), connection_options={"compression": True}
        ) as conn:
            with pytest.raises(MessageTooLargeError) as info:
                await asyncio.wait_for(conn.recv(), 10)
            assert_clean(info.value)
            with pytest.raises(ConnectionClosedError) as closed:
                await conn.recv()
            assert closed.value.code == 1009
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert state["negotiated"]  # permessage-deflate really was in use
    FIGURES["deflate bomb"] = (
        f"{state['bomb_bytes'] / 1024:.0f} KiB inflating to 256 MiB refused; "
        f"tracemalloc peak {peak / MiB:.1f} MiB"
    )
    assert peak < 3 * DEFAULT_MAX_MESSAGE_SIZE, peak


async def test_compression_is_off_by_default_and_compressed_frames_are_refused(
    bomb_server: tuple[str, dict[str, Any]],
) -> None:
    """Without the opt-in no deflate is negotiated; a compressed frame is a protocol error,
    never inflated."""
    endpoint, state = bomb_server
    tracemalloc.start()
    try:
        async with connect(endpoint=endpoint, credential=key()) as conn:
            with pytest.raises((ConnectionClosedError, RemoteProtocolError)) as info:
                await asyncio.wait_for(conn.recv(), 10)
            assert_clean(info.value)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert not state["negotiated"]
    assert isinstance(info.value, ConnectionClosedError)
    assert info.value.code == 1002
    assert peak < 3 * DEFAULT_MAX_MESSAGE_SIZE


# --------------------------------------------------------------------------- no eval/unpickle

_FORBIDDEN_MODULES = {
    "pickle",
    "cPickle",
    "_pickle",
    "marshal",
    "shelve",
    "dill",
    "cloudpickle",
    "jsonpickle",
    "yaml",
}
_FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__"}  # builtins, called by name
_FORBIDDEN_METHODS = {"literal_eval", "import_module", "load", "loads"}  # on these modules
_FORBIDDEN_OWNERS = {"ast", "importlib", "pickle", "marshal", "yaml", "builtins"}


# The only dynamic imports voicelive makes, each of a name that no remote peer chooses.
# Keyed by the module's path inside the package; the value is the reason it is safe.
_ALLOWED_DYNAMIC_IMPORTS = {
    "telephony/_agent.py": "imports the module the operator names with --app module:setup",
    "testing/_script.py": "imports the optional PyYAML by its fixed name (then safe_load only)",
}


def test_source_never_evaluates_or_unpickles() -> None:
    """No module of voicelive imports a deserializer that can run code, or calls
    eval/exec/compile/__import__/import_module (an AST scan, so comments do not count),
    except the listed dynamic imports of names no peer controls, one call each."""
    root = Path(voicelive.__file__).parent
    findings: list[str] = []
    allowed_seen: list[str] = []
    files = sorted(root.rglob("*.py"))
    for path in files:
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [(node.module or "").split(".")[0]]
            else:
                names = []
            findings += [
                f"{path.name}:{node.lineno} imports {n}" for n in names if n in _FORBIDDEN_MODULES
            ]
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Name) and func.id in _FORBIDDEN_CALLS:
                findings.append(f"{path.name}:{node.lineno} calls {func.id}()")
            if (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id in _FORBIDDEN_OWNERS
                and (func.attr in _FORBIDDEN_METHODS or func.attr in _FORBIDDEN_CALLS)
            ):
                where = path.relative_to(root).as_posix()
                call = f"{func.value.id}.{func.attr}"
                if call == "importlib.import_module" and where in _ALLOWED_DYNAMIC_IMPORTS:
                    allowed_seen.append(where)
                    continue
                findings.append(f"{where}:{node.lineno} calls {call}()")
    assert len(files) > 30
    assert findings == []
    assert sorted(allowed_seen) == sorted(_ALLOWED_DYNAMIC_IMPORTS)


class _Boom:
    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, ("touch PWNED",))


async def test_hostile_payloads_are_data_not_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    payloads: list[str | bytes] = [
        pickle.dumps(_Boom()),
        b"\x80\x04" + pickle.dumps(_Boom())[2:],
        json.dumps({"type": "__import__('os').system('touch PWNED')", "x": 1}),
        json.dumps({"type": "response.text.delta", "delta": "{{7*7}}${7*7}`touch PWNED`"}),
        json.dumps(
            {"type": "x", "__class__": "os.system", "__reduce__": ["os.system", ["touch PWNED"]]}
        ),
        "!!python/object/apply:os.system ['touch PWNED']",
    ]

    async def handler(conn: MockServerConnection) -> None:
        for payload in payloads:
            await conn.send_raw(payload)
        await conn.close(1000)

    outcomes: list[object] = []
    async with (
        MockServer(handler) as server,
        connect(endpoint=server.endpoint, credential=key()) as conn,
    ):
        while True:
            try:
                outcomes.append(await conn.recv())
            except ConnectionClosed:
                break
            except RemoteProtocolError as exc:
                outcomes.append(exc)
    assert len(outcomes) == len(payloads)
    assert not (tmp_path / "PWNED").exists()


def test_every_connection_of_this_suite_uses_the_canaries() -> None:
    """The canaries are the credentials handed out by ``_rel_support``."""
    assert key().key == CANARY_KEY
    token = asyncio.run(CanaryTokenCredential().get_token("scope"))
    assert token.token == CANARY_TOKEN
