"""The ``voicelive`` command line: parser, commands, and the one-line error policy.

Every failure a user can cause or meet (bad WAV, unreachable endpoint, refused key, server
error, timeout) ends as one line on stderr, ``voicelive: error: ...``, and a non-zero exit
code, never a traceback (``--debug`` shows one). Exit codes: 0 success, 1 the exchange or
check failed, 2 bad usage or input file, 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import traceback
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, TextIO

from .._version import __version__
from ._defaults import DEFAULT_INSTRUCTIONS, DEFAULT_MODEL, DEFAULT_VOICE, ENDPOINT_ENV, KEY_ENV
from ._phone import add_phone_parser, cmd_phone

if TYPE_CHECKING:
    import asyncio

    from azure.core.exceptions import ClientAuthenticationError

    from ..aio import VoiceLiveConnection, connect
    from ..conversation import compare_session
    from ..exceptions import AuthenticationError, ConnectionClosed, VoiceLiveError
    from ..models import RequestSession
    from ..testing import (
        CassetteRecorder,
        Emulator,
        MockServer,
        MockServerConnection,
        Pace,
        Script,
        ScriptError,
        load_script,
    )
    from ._cassettes import load_cassette, print_cassette
    from ._demo import (
        DemoError,
        DemoOptions,
        InputError,
        check_output_path,
        demo_emulator,
        load_input,
        output_announcement,
        requested_session,
        run_exchange,
    )
    from ._target import Target, TargetError, open_target, safe_endpoint
    from ._timeline import Timeline, describe_session

__all__ = ["build_parser", "main"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141

CONNECT_OPTIONS = {"handshake_timeout": 20.0}
"""``connection_options`` used by every command."""

_MAIN_EPILOG = f"""\
examples:
  voicelive demo                      # no Azure account needed: in-process emulator
  voicelive demo --text "Tell me a joke" --output joke.wav
  {ENDPOINT_ENV}=https://<resource>.services.ai.azure.com voicelive check
  voicelive mock-server --port 8765

environment:
  {ENDPOINT_ENV}  Voice Live endpoint; unset = the local emulator
  {KEY_ENV}       API key; unset = DefaultAzureCredential (Entra ID)
"""

_DEMO_EPILOG = f"""\
examples:
  voicelive demo                          # bundled recording, local emulator, real time
  voicelive demo --fast --output out.wav  # no pacing, reply written to out.wav
  voicelive demo --input question.wav     # any PCM/float/G.711 WAV, converted for the session
  voicelive demo --text "What's the capital of France?"
  voicelive demo --json > events.jsonl    # machine-readable event log
  {ENDPOINT_ENV}=https://<resource>.services.ai.azure.com voicelive demo --voice en-US-AndrewNeural

Without {ENDPOINT_ENV} (or with --emulator) the demo talks to
the local emulator started in this process on 127.0.0.1: no Azure account, no network.
With it, it talks to the service, authenticating with {KEY_ENV}
when set, else with DefaultAzureCredential.
"""

_CHECK_EPILOG = f"""\
examples:
  voicelive check --emulator
  {ENDPOINT_ENV}=https://<resource>.services.ai.azure.com voicelive check --voice alloy
  voicelive check --json

Exit code 0 when the service applied every requested setting, 1 on a mismatch or failure.
"""

_SERVER_EPILOG = f"""\
examples:
  voicelive mock-server                       # emulator on 127.0.0.1:8765
  voicelive mock-server --port 0              # any free port (printed)
  voicelive mock-server --realtime            # replies at playback speed, like the service
  voicelive mock-server --cassette demo.jsonl # replay a recorded session to every client
  voicelive mock-server --script turns.json   # scripted replies, tool calls, failures, faults

A script (JSON; YAML with the "yaml" extra) says what the emulated model does turn by turn;
every connection plays it from the start. Format: docs/testing.md, "Scripting the emulator".

then, in another terminal:
  {ENDPOINT_ENV}=http://127.0.0.1:8765 {KEY_ENV}=any voicelive demo
"""

_RECORD_EPILOG = """\
examples:
  voicelive record --cassette demo.jsonl --fast
  voicelive record --cassette weather.jsonl --text "Weather in Paris?"
  voicelive replay demo.jsonl
  voicelive mock-server --cassette demo.jsonl

Records every frame of the demo exchange (secrets are never written) against the emulator,
or against the service when the endpoint is configured.
"""

_REPLAY_EPILOG = """\
examples:
  voicelive replay demo.jsonl
  voicelive replay demo.jsonl --json
"""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=32)


def _add_target_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("connection")
    group.add_argument(
        "--endpoint",
        metavar="URL",
        help=f"Voice Live endpoint (default: ${ENDPOINT_ENV}; unset: the local emulator)",
    )
    group.add_argument(
        "--emulator",
        action="store_true",
        help="use the local emulator even when an endpoint is configured",
    )
    group.add_argument(
        "--model", default=DEFAULT_MODEL, help=f"model deployment (default: {DEFAULT_MODEL})"
    )


def _add_session_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("session")
    group.add_argument(
        "--voice",
        default=DEFAULT_VOICE,
        help=f"Azure voice name or OpenAI voice (default: {DEFAULT_VOICE})",
    )
    group.add_argument(
        "--instructions", default=DEFAULT_INSTRUCTIONS, help="system instructions for the model"
    )


def _add_demo_options(parser: argparse.ArgumentParser) -> None:
    _add_session_options(parser)
    group = parser.add_argument_group("exchange")
    what = group.add_mutually_exclusive_group()
    what.add_argument(
        "--input",
        metavar="FILE.wav",
        help="WAV file to stream (any PCM, float or G.711 WAV; default: a bundled recording)",
    )
    what.add_argument("--text", help="send a text turn instead of audio")
    group.add_argument(
        "--output",
        metavar="FILE.wav",
        default="reply.wav",
        help="where to write the reply audio (default: reply.wav)",
    )
    group.add_argument(
        "--fast", action="store_true", help="stream the audio as fast as possible (no pacing)"
    )
    group.add_argument(
        "--json", action="store_true", help="print a machine-readable event log (JSON lines)"
    )
    group.add_argument("-v", "--verbose", action="store_true", help="also show bookkeeping events")
    _add_target_options(parser)


def build_parser() -> argparse.ArgumentParser:
    """The ``voicelive`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="voicelive",
        description="voicelive: Azure AI Voice Live from the command line, with a built-in "
        "emulator.",
        epilog=_MAIN_EPILOG,
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"voicelive {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show a traceback when something fails"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        help="run a whole voice exchange with a live timeline",
        description="Run one voice exchange end to end and show a live timeline: session\n"
        "setup, server VAD, your transcript, the assistant's reply streaming in, audio\n"
        "received, time to first audio byte; then write the reply to a WAV file.",
        epilog=_DEMO_EPILOG,
        formatter_class=_Formatter,
    )
    _add_demo_options(demo)

    check = commands.add_parser(
        "check",
        help="verify the connection and the effective session",
        description="Connect, send session.update, print the effective session and any "
        "difference from what was requested.",
        epilog=_CHECK_EPILOG,
        formatter_class=_Formatter,
    )
    _add_session_options(check)
    check.add_argument("--json", action="store_true", help="print the result as JSON")
    _add_target_options(check)

    server = commands.add_parser(
        "mock-server",
        help="run the emulator (or a cassette replay) standalone",
        description="Run the Voice Live emulator on a local port until Ctrl+C.",
        epilog=_SERVER_EPILOG,
        formatter_class=_Formatter,
    )
    server.add_argument("--host", default="127.0.0.1", help="bind address (default: 127.0.0.1)")
    server.add_argument(
        "--port", type=int, default=8765, help="port (default: 8765; 0 picks a free one)"
    )
    source = server.add_mutually_exclusive_group()
    source.add_argument("--cassette", metavar="FILE", help="replay this recorded cassette")
    source.add_argument(
        "--script",
        metavar="FILE",
        help="play this script (.json, or .yaml with PyYAML): replies, tool calls, failures, "
        "faults per turn",
    )
    server.add_argument(
        "--realtime",
        action="store_true",
        help="stream replies at playback speed, like the service (default: as fast as possible)",
    )

    record = commands.add_parser(
        "record",
        help="run the demo exchange while recording a cassette",
        description="Run the demo exchange and record every frame to a cassette file.",
        epilog=_RECORD_EPILOG,
        formatter_class=_Formatter,
    )
    record.add_argument("--cassette", metavar="FILE", required=True, help="cassette to write")
    _add_demo_options(record)

    replay = commands.add_parser(
        "replay",
        help="print a recorded cassette as a timeline",
        description="Print a recorded cassette as a readable timeline (nothing is sent).",
        epilog=_REPLAY_EPILOG,
        formatter_class=_Formatter,
    )
    replay.add_argument("file", metavar="FILE", help="the cassette file")
    replay.add_argument("--json", action="store_true", help="print JSON lines instead")
    replay.add_argument("-v", "--verbose", action="store_true", help="show every event")
    add_phone_parser(commands, _Formatter)
    return parser


# ---------------------------------------------------------------------------- helpers


def _use_color(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(
        isatty is not None
        and isatty()
        and "NO_COLOR" not in os.environ
        and os.environ.get("TERM") != "dumb"
    )


@asynccontextmanager
async def _connected(
    target: Target, model: str, endpoint: str | None = None
) -> AsyncIterator[VoiceLiveConnection]:
    """``connect()`` with the CLI's options; handshake failures become one clear line.

    ``endpoint`` overrides ``target.endpoint`` (a recording proxy in front of it).
    """
    try:
        conn = await connect(
            endpoint=endpoint or target.endpoint,
            credential=target.credential,
            model=model,
            connection_options=CONNECT_OPTIONS,
        )
    except AuthenticationError as exc:
        hint = (
            f"check {KEY_ENV}"
            if target.auth.startswith("API key")
            else "check your Entra ID sign-in (az login) and the 'Cognitive Services User' role"
        )
        raise DemoError(
            f"authentication failed at {safe_endpoint(target.endpoint)} "
            f"(HTTP {exc.status_code}): {hint}"
        ) from None
    except ClientAuthenticationError as exc:
        first = str(exc.message or exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise DemoError(
            f"could not get a Microsoft Entra ID token ({first}); sign in with 'az login' "
            f"or set {KEY_ENV}"
        ) from None
    except VoiceLiveError as exc:
        raise DemoError(f"cannot connect to {safe_endpoint(target.endpoint)}: {exc}") from None
    try:
        yield conn
    finally:
        await conn.close()


def _announce(
    command: str,
    target: Target,
    out: TextIO,
    err: TextIO,
    json_mode: bool,
    *,
    extra: str | None = None,
) -> None:
    """The first lines: what we talk to, then ``extra`` (e.g. where the reply will go)."""
    if target.is_emulator:
        lines = [
            f"voicelive {command}: talking to the LOCAL EMULATOR at "
            f"{safe_endpoint(target.endpoint)} (in-process, no network, no Azure account).",
            f"Set {ENDPOINT_ENV} to run the same exchange against Azure AI Voice Live.",
        ]
    else:
        lines = [f"voicelive {command}: talking to {target.describe()}."]
    if extra is not None:
        lines.append(extra)
    stream = err if json_mode else out
    for line in lines if not json_mode else lines[:1]:
        print(line, file=stream, flush=True)
    if not json_mode:
        print(file=out, flush=True)


def _demo_options(args: argparse.Namespace) -> DemoOptions:
    return DemoOptions(
        input=args.input,
        text=args.text,
        voice=args.voice,
        model=args.model,
        instructions=args.instructions,
        fast=args.fast,
        output=args.output or None,
    )


async def _demo_exchange(
    args: argparse.Namespace,
    out: TextIO,
    err: TextIO,
    *,
    command: str,
    cassette: str | None = None,
) -> int:
    """The demo exchange; with ``cassette``, recorded through a :class:`CassetteRecorder`."""
    options = _demo_options(args)
    wav = None if options.text is not None else load_input(options.input)
    check_output_path(options.output)
    check_output_path(cassette)
    async with open_target(
        endpoint=args.endpoint,
        force_emulator=args.emulator,
        emulator_factory=lambda: demo_emulator(options),
    ) as target:
        _announce(command, target, out, err, args.json, extra=output_announcement(options.output))
        timeline = Timeline(out, json_mode=args.json, verbose=args.verbose, color=_use_color(out))
        async with contextlib.AsyncExitStack() as stack:
            endpoint = target.endpoint
            recorder: CassetteRecorder | None = None
            if cassette is not None:
                recorder = CassetteRecorder(
                    target.endpoint,
                    cassette,
                    metadata={"recorded_by": f"voicelive {command}", "target": target.kind},
                )
                endpoint = (await stack.enter_async_context(recorder)).endpoint
            async with _connected(target, options.model, endpoint) as conn:
                timeline.info(
                    "connected",
                    f"{target.name} at {safe_endpoint(target.endpoint)}, model {options.model}",
                    target=target.kind,
                    endpoint=safe_endpoint(target.endpoint),
                )
                await run_exchange(conn, timeline, options, wav=wav, emulated=target.is_emulator)
        if recorder is not None:
            frames = sum(len(c.frames) for c in recorder.cassettes)
            timeline.info("cassette", f"wrote {cassette} ({frames} frames)", cassette=cassette)
        wrote = options.output if options.output and timeline.stats.audio else None
        timeline.summary(target=f"{target.name} ({safe_endpoint(target.endpoint)})", output=wrote)
        if timeline.stats.response_status not in (None, "completed"):
            raise DemoError(f"the response ended with status {timeline.stats.response_status}")
    return EXIT_OK


async def _cmd_demo(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    return await _demo_exchange(args, out, err, command="demo")


async def _cmd_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    options = DemoOptions(voice=args.voice, model=args.model, instructions=args.instructions)
    requested = requested_session(options)
    async with open_target(endpoint=args.endpoint, force_emulator=args.emulator) as target:
        _announce("check", target, out, err, args.json)
        async with _connected(target, options.model) as conn:
            session = await conn.session.update(
                session=requested, wait=True, timeout=15.0, on_mismatch="ignore"
            )
        effective = session.to_wire_dict()
        problems = [
            str(mismatch)
            for mismatch in compare_session(
                RequestSession.model_validate(requested), session, fields=tuple(requested)
            )
        ]
        if args.json:
            print(
                json.dumps(
                    {
                        "target": target.kind,
                        "endpoint": safe_endpoint(target.endpoint),
                        "requested": requested,
                        "effective": effective,
                        "mismatches": problems,
                    },
                    indent=2,
                    ensure_ascii=False,
                ),
                file=out,
            )
        else:
            print(f"effective session: {describe_session(session)}", file=out)
            print(json.dumps(effective, indent=2, ensure_ascii=False), file=out)
            if problems:
                print(f"{len(problems)} requested setting(s) were not applied:", file=out)
                for problem in problems:
                    print(f"  - {problem}", file=out)
            else:
                print("OK: every requested setting was applied.", file=out)
    return EXIT_FAILED if problems else EXIT_OK


async def _wait_for_stop() -> None:
    """Wait until SIGINT / SIGTERM (or cancellation)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
    try:
        await stop.wait()
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


def _make_server(args: argparse.Namespace) -> MockServer:
    if args.cassette:
        return MockServer.replay(
            load_cassette(args.cassette),
            host=args.host,
            port=args.port,
            timing="real" if args.realtime else "fast",
        )
    pace: Pace = "realtime" if args.realtime else "fast"
    if getattr(args, "script", None):
        try:
            script = load_script(args.script)
        except ScriptError as exc:
            raise InputError(str(exc)) from None
        return _script_server(script, host=args.host, port=args.port, pace=pace)
    return MockServer(host=args.host, port=args.port, pace=pace)


def _script_server(script: Script, **kwargs: Any) -> MockServer:
    # Defined on use: MockServer is imported when a command runs, not with the parser.
    class _ScriptServer(MockServer):
        """A mock server whose every connection plays the script from its first turn."""

        def __init__(self, script: Script, **kwargs: Any) -> None:
            super().__init__(session=script.session or None, faults=script.faults, **kwargs)
            self.script = script

        def new_emulator(self, connection: MockServerConnection) -> Emulator:
            emulator = super().new_emulator(connection)
            emulator.responder = self.script.responder()
            transcriber = self.script.transcriber()
            if transcriber is not None:
                emulator.transcriber = transcriber
            return emulator

    return _ScriptServer(script, **kwargs)


async def _cmd_mock_server(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if not 0 <= args.port <= 65535:
        raise InputError(f"--port must be between 0 and 65535, got {args.port}")
    server = _make_server(args)
    try:
        await server.start()
    except OSError as exc:
        raise DemoError(
            f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}"
        ) from None
    try:
        what = f"replaying {args.cassette}" if args.cassette else "emulator"
        if getattr(args, "script", None):
            what = f"emulator playing {args.script}"
        print(f"voicelive mock-server: {what} listening on {server.endpoint}", file=out)
        print(f"  try: {ENDPOINT_ENV}={server.endpoint} {KEY_ENV}=any voicelive demo", file=out)
        print("  press Ctrl+C to stop", file=out, flush=True)
        await _wait_for_stop()
        print("voicelive mock-server: stopped", file=out, flush=True)
    finally:
        await server.stop()
    return EXIT_OK


async def _cmd_record(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    return await _demo_exchange(args, out, err, command="record", cassette=args.cassette)


async def _cmd_replay(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    timeline = Timeline(out, json_mode=args.json, verbose=args.verbose, color=_use_color(out))
    print_cassette(args.file, timeline)
    return EXIT_OK


_COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO, TextIO], Coroutine[Any, Any, int]]] = {
    "demo": _cmd_demo,
    "check": _cmd_check,
    "mock-server": _cmd_mock_server,
    "record": _cmd_record,
    "replay": _cmd_replay,
    "phone": cmd_phone,
}


def _error_line(exc: BaseException) -> tuple[str, int]:
    """The one line to print for ``exc`` and the exit code."""
    if isinstance(exc, (InputError, TargetError)):
        return str(exc), EXIT_USAGE
    if isinstance(exc, DemoError):
        return str(exc), EXIT_FAILED
    if isinstance(exc, ConnectionClosed):
        return f"the connection closed unexpectedly: {exc}", EXIT_FAILED
    if isinstance(exc, (VoiceLiveError, ClientAuthenticationError)):
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return text, EXIT_FAILED
    if isinstance(exc, OSError):
        return str(exc), EXIT_FAILED
    return (
        f"unexpected {type(exc).__name__}: {exc} (run 'voicelive --debug ...' for a traceback)",
        EXIT_FAILED,
    )


def _harden(stream: TextIO) -> None:
    """Never die on a character the terminal encoding cannot show."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        with contextlib.suppress(Exception):
            reconfigure(errors="replace")


def _import_commands() -> None:
    """Import what the commands use into this module, once, when a command is dispatched.

    The same names as the ``TYPE_CHECKING`` block above: ``voicelive --help``, ``--version``
    and ``COMMAND --help`` then start without asyncio, pydantic models, aiohttp or numpy.
    """
    if "connect" in globals():
        return
    import asyncio

    from azure.core.exceptions import ClientAuthenticationError

    from .. import testing
    from ..aio import VoiceLiveConnection, connect
    from ..conversation import compare_session
    from ..exceptions import AuthenticationError, ConnectionClosed, VoiceLiveError
    from ..models import RequestSession
    from . import _demo, _target
    from ._cassettes import load_cassette, print_cassette
    from ._timeline import Timeline, describe_session

    globals().update(
        asyncio=asyncio,
        ClientAuthenticationError=ClientAuthenticationError,
        VoiceLiveConnection=VoiceLiveConnection,
        connect=connect,
        compare_session=compare_session,
        AuthenticationError=AuthenticationError,
        ConnectionClosed=ConnectionClosed,
        VoiceLiveError=VoiceLiveError,
        RequestSession=RequestSession,
        CassetteRecorder=testing.CassetteRecorder,
        Emulator=testing.Emulator,
        MockServer=testing.MockServer,
        MockServerConnection=testing.MockServerConnection,
        Script=testing.Script,
        ScriptError=testing.ScriptError,
        load_script=testing.load_script,
        load_cassette=load_cassette,
        print_cassette=print_cassette,
        DemoError=_demo.DemoError,
        DemoOptions=_demo.DemoOptions,
        InputError=_demo.InputError,
        check_output_path=_demo.check_output_path,
        demo_emulator=_demo.demo_emulator,
        load_input=_demo.load_input,
        output_announcement=_demo.output_announcement,
        requested_session=_demo.requested_session,
        run_exchange=_demo.run_exchange,
        Target=_target.Target,
        TargetError=_target.TargetError,
        open_target=_target.open_target,
        safe_endpoint=_target.safe_endpoint,
        Timeline=Timeline,
        describe_session=describe_session,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``voicelive`` command line; returns the exit code.

    Args:
        argv: arguments without the program name (default: ``sys.argv[1:]``).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    _import_commands()
    out, err = sys.stdout, sys.stderr
    _harden(out)
    _harden(err)
    try:
        return asyncio.run(_COMMANDS[args.command](args, out, err))
    except KeyboardInterrupt:
        print("\nvoicelive: interrupted", file=err)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # output piped into head & co: stop quietly
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, out.fileno())
        return EXIT_BROKEN_PIPE
    except Exception as exc:
        line, code = _error_line(exc)
        if args.debug:
            traceback.print_exception(type(exc), exc, exc.__traceback__, file=err)
        with contextlib.suppress(Exception):
            out.flush()
        print(f"voicelive: error: {line}", file=err)
        return code
