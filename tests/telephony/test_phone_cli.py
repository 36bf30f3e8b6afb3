"""``voicelive phone --simulate`` and ``voicelive phone serve``."""

from __future__ import annotations

import argparse
import asyncio
import io

import phone_app
import pytest

from voicelive.cli import main
from voicelive.cli._phone import serve, server_config
from voicelive.telephony import load_agent
from voicelive.testing import FakeTwilioCall


@pytest.mark.parametrize(("provider", "clear"), [("twilio", "clear"), ("acs", "StopAudio")])
def test_simulate_prints_a_timeline_with_a_barge_in(
    provider: str, clear: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["phone", "--simulate", provider]) == 0
    out = capsys.readouterr().out
    assert f"barge-in: {clear} sent to the phone, truncated item_" in out
    assert "at 1200 ms" in out  # the caller heard 1.20 s on its playback clock
    assert "response cancelled" in out
    assert '"Sure, rye it is."' in out
    assert "ended by caller" in out


async def test_serve_runs_the_app_module_against_the_emulator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("AZURE_COGNITIVE_SERVICES_ENDPOINT", "TWILIO_AUTH_TOKEN", "ACS_RESOURCE_ID"):
        monkeypatch.delenv(name, raising=False)
    args = argparse.Namespace(
        app="phone_app:setup",
        public_url=None,
        endpoint=None,
        emulator=True,
        model="gpt-realtime",
        host="0.0.0.0",
        port=0,
    )
    out = io.StringIO()
    url: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    task = asyncio.ensure_future(serve(args, out, ready=url.set_result))
    try:
        base = await asyncio.wait_for(url, 10)
        assert base.startswith("http://127.0.0.1:")  # no credentials: loopback only
        call = await FakeTwilioCall.dial(base)
        await call.press("1")
        await call.hangup()
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert phone_app.STARTED == ["twilio"]
    assert "bound to 127.0.0.1 only" in out.getvalue()


async def test_load_agent_errors_are_clear() -> None:
    with pytest.raises(ValueError, match="module:attribute"):
        await load_agent("phone_app")
    with pytest.raises(ValueError, match="has no attribute 'nope'"):
        await load_agent("phone_app:nope")
    with pytest.raises(ValueError, match="gave int, expected a PhoneAgent"):
        await load_agent("phone_app:NOT_AN_AGENT")


def test_server_config_reads_credentials_from_the_environment() -> None:
    config = server_config({"TWILIO_AUTH_TOKEN": "tok", "ACS_RESOURCE_ID": ""}, "https://x")
    assert config.twilio_auth_token == "tok"
    assert config.acs_resource_id is None
    assert "tok" not in repr(config)
