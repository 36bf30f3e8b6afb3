"""``voicelive phone``: ``serve`` the phone bridge, or ``--simulate`` a whole call.

``voicelive phone serve`` runs :class:`~voicelive.telephony.PhoneServer` against Voice Live
(or ``--emulator``) with the agent of ``--app module:setup``; credentials come from the
environment (never from the command line, where other users could read them).

``voicelive phone --simulate twilio|acs`` runs a fake caller -> phone server -> emulator
call in this process and prints its timeline, barge-in included.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from ._defaults import ENDPOINT_ENV, KEY_ENV

if TYPE_CHECKING:
    from ..telephony import CallBridge, PhoneServerConfig
    from ..testing import FakePhoneCall

# The client, telephony and emulator modules are imported inside the commands, so that
# ``voicelive --help`` (which builds this command's parser) does not load them.

__all__ = ["add_phone_parser", "cmd_phone", "simulate_call"]

TWILIO_TOKEN_ENV = "TWILIO_AUTH_TOKEN"
ACS_RESOURCE_ENV = "ACS_RESOURCE_ID"
ACS_CONNECTION_ENV = "ACS_CONNECTION_STRING"
ACS_SECRET_ENV = "ACS_WEBHOOK_SECRET"

_EPILOG = f"""\
examples:
  voicelive phone --simulate twilio              # a whole fake call, with a barge-in
  voicelive phone --simulate acs
  voicelive phone serve --emulator               # local server on 127.0.0.1:8080
  voicelive phone serve --app mybot:setup --public-url https://bot.example.com --host 0.0.0.0

environment (serve):
  {TWILIO_TOKEN_ENV}        checks X-Twilio-Signature on /twilio/voice
  {ACS_RESOURCE_ENV}          ACS immutable resource id: checks the media WebSocket JWT
  {ACS_CONNECTION_ENV}    answers ACS incoming calls (pip install 'voicelive[acs]')
  {ACS_SECRET_ENV}       required as ?secret= on /acs/incoming
  {ENDPOINT_ENV} / {KEY_ENV}: the Voice Live resource
Without {TWILIO_TOKEN_ENV} or {ACS_RESOURCE_ENV} the server listens on 127.0.0.1 only.
"""

_ANSWER = (
    "We have sourdough, rye, spelt and baguettes, and this morning there are croissants, "
    "cinnamon rolls and a lemon cake."
)
_AFTER = "Sure, rye it is."


def add_phone_parser(commands: Any, formatter_class: type[argparse.HelpFormatter]) -> None:
    """Register ``phone`` (and ``phone serve``) on the CLI's subparsers."""
    phone = commands.add_parser(
        "phone",
        help="serve Voice Live on the phone (Twilio, ACS), or simulate a call",
        description="Bridge phone calls (Twilio Media Streams, Azure Communication Services "
        "media streaming) to Voice Live, or simulate a whole call offline.",
        epilog=_EPILOG,
        formatter_class=formatter_class,
    )
    phone.add_argument(
        "--simulate",
        choices=["twilio", "acs"],
        help="run a fake call through the bridge and the emulator and print its timeline",
    )
    sub = phone.add_subparsers(dest="phone_command", metavar="COMMAND")
    serve = sub.add_parser(
        "serve",
        help="run the phone server",
        description="Run the phone server (POST /twilio/voice, /twilio/media, /acs/media, "
        "POST /acs/incoming) until Ctrl+C.",
        epilog=_EPILOG,
        formatter_class=formatter_class,
    )
    serve.add_argument("--host", default="127.0.0.1", help="bind address (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port (default: 8080)")
    serve.add_argument("--app", metavar="MODULE:ATTR", help="the PhoneAgent (or its factory)")
    serve.add_argument("--public-url", help="public base URL, e.g. https://bot.example.com")
    serve.add_argument("--endpoint", help=f"Voice Live endpoint (default: ${ENDPOINT_ENV})")
    serve.add_argument("--model", default="gpt-realtime", help="model (default: gpt-realtime)")
    serve.add_argument("--emulator", action="store_true", help="use the built-in emulator")


class _SimClock:
    """The simulation's playback clock (moved with the fake caller's playback)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def simulate_call(provider: str, out: TextIO) -> int:
    """Run a simulated call and print its timeline; returns the exit code."""
    import asyncio

    from ..aio import connect
    from ..telephony import PhoneAgent, PhoneServer, PhoneServerConfig
    from ..testing import FakeAcsCall, FakeTwilioCall, MockServer, Reply, ScriptedResponder

    clock = _SimClock()
    lines: list[str] = []

    def show(who: str, text: str) -> None:
        line = f"{clock.now:7.2f}s  {who:<7} {text}"
        lines.append(line)
        print(line, file=out, flush=True)

    def watch(call: CallBridge) -> None:
        show("bridge", f"stream started: {call.info.audio_format}, session applied")

        def observe(event: Any) -> None:
            if event.type == "input_audio_buffer.speech_started":
                show("vad", "caller speaking")
            elif event.type == "input_audio_buffer.speech_stopped":
                show("vad", "caller stopped")
            elif event.type == "response.audio_transcript.done":
                show("agent", f'"{event.transcript}"')
            elif event.type == "response.done":
                status = event.response.status
                show("agent", f"response {getattr(status, 'value', status)}")

        call.conn.add_event_observer(observe)

    responder = ScriptedResponder([Reply(text=_ANSWER), Reply(text=_AFTER)])
    agent = PhoneAgent(instructions="You answer the phone for a bakery.", on_call_start=watch)
    print(f"simulated {provider} call (times are the caller's playback clock)", file=out)
    async with MockServer(responder=responder) as emulator:

        async def open_connection() -> Any:
            return await connect(endpoint=emulator.endpoint, credential=_key(), model="sim")

        config = PhoneServerConfig(twilio_auth_token="simulated-token")
        server = PhoneServer(agent, open_connection, config=config, port=0, clock=clock)
        async with server:
            call: FakePhoneCall
            if provider == "twilio":
                show("caller", "dials; Twilio posts the signed voice webhook, gets TwiML")
                call = await FakeTwilioCall.dial(server.url, auth_token="simulated-token")
            else:
                show("caller", "ACS answers the call and opens the media WebSocket")
                call = await FakeAcsCall.connect(server.url)
            try:
                show("caller", 'says "What bread do you have today?"')
                await call.say("What bread do you have today?")
                await call.wait_queued(3000)
                show("phone", f"{call.queued_ms / 1000:.2f} s of agent audio queued at the phone")
                await _play(call, clock, 1200)
                show("caller", f"heard {call.heard_ms / 1000:.2f} s, then talks over the agent")
                await call.say("Rye, please.")
                await call.wait_clears(1)
                bridge = server.calls[0]
                cut = bridge.interruptions[-1].truncation if bridge.interruptions else None
                what = "clear" if provider == "twilio" else "StopAudio"
                detail = (
                    f"truncated {cut.item_id} at {cut.audio_end_ms} ms"
                    if cut is not None
                    else "nothing to truncate"
                )
                show("bridge", f"barge-in: {what} sent to the phone, {detail}")
                await call.wait_queued(len(_AFTER) * 60)
                await _play(call, clock, len(_AFTER) * 60)
                show("caller", "hangs up")
                await call.hangup()
                (ended,) = await asyncio.wait_for(server.wait_ended(1), 10)
            finally:
                await call.close()
    show("call", f"ended by {ended.by}: {ended.reason}")
    return 0


async def _play(call: FakePhoneCall, clock: _SimClock, ms: float) -> None:
    step = 20.0
    done = 0.0
    while done < ms:
        played = await call.play(step)
        clock.now += step / 1000
        done += step
        if played == 0:
            break


def _key() -> Any:
    from azure.core.credentials import AzureKeyCredential

    return AzureKeyCredential("emulator-key")


async def _wait_for_stop() -> None:
    import asyncio

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()


def server_config(environ: Any = None, public_url: str | None = None) -> PhoneServerConfig:
    """The server's credentials from the environment."""
    from ..telephony import PhoneServerConfig

    env = os.environ if environ is None else environ
    return PhoneServerConfig(
        public_url=public_url,
        twilio_auth_token=env.get(TWILIO_TOKEN_ENV) or None,
        acs_resource_id=env.get(ACS_RESOURCE_ENV) or None,
        acs_connection_string=env.get(ACS_CONNECTION_ENV) or None,
        acs_webhook_secret=env.get(ACS_SECRET_ENV) or None,
    )


async def serve(
    args: argparse.Namespace, out: TextIO, ready: Callable[[str], Any] | None = None
) -> int:
    """``voicelive phone serve``."""
    from ..aio import connect
    from ..conversation import ResilientConnection
    from ..telephony import PhoneAgent, PhoneServer, load_agent
    from ._target import open_target

    agent = await load_agent(args.app) if args.app else PhoneAgent()
    config = server_config(public_url=args.public_url)
    async with open_target(endpoint=args.endpoint, force_emulator=args.emulator) as target:

        async def open_connection() -> Any:
            def factory() -> Any:
                return connect(
                    endpoint=target.endpoint, credential=target.credential, model=args.model
                )

            # long calls outlive a session: recycle / reconnect with the history
            return await ResilientConnection(factory).open()

        server = PhoneServer(agent, open_connection, config=config, host=args.host, port=args.port)
        async with server:
            print(f"voicelive phone: listening on {server.url} ({target.describe()})", file=out)
            if server.loopback_only and args.host != server.host:
                print(
                    f"  no {TWILIO_TOKEN_ENV} / {ACS_RESOURCE_ENV}: bound to 127.0.0.1 only",
                    file=out,
                )
            print("  Twilio voice webhook: POST /twilio/voice", file=out)
            print("  ACS Event Grid webhook: POST /acs/incoming", file=out)
            print("  press Ctrl+C to stop", file=out, flush=True)
            if ready is not None:
                ready(server.url)
            await _wait_for_stop()
    print("voicelive phone: stopped", file=out, flush=True)
    return 0


async def cmd_phone(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Entry point of ``voicelive phone``."""
    if args.simulate:
        return await simulate_call(args.simulate, out)
    if getattr(args, "phone_command", None) == "serve":
        return await serve(args, out)
    print("voicelive phone: give --simulate twilio|acs or the 'serve' command", file=err)
    return 2
