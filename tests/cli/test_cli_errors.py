"""Every failure a user can meet ends as one line on stderr and a non-zero exit, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from voicelive.cli import main
from voicelive.cli._target import ENDPOINT_ENV, KEY_ENV, safe_endpoint

CANARY = "canary-cli-key-5e1d7c93"


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("voicelive: error: ")
    assert "Traceback" not in err
    return lines[0]


def test_missing_wav(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(["demo", "--input", str(tmp_path / "nope.wav")])
    out, err = capsys.readouterr()
    assert code == 2
    assert "input file not found" in _one_error_line(err)
    assert out == ""  # failed before connecting


def test_not_a_wav(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    fake = tmp_path / "notes.wav"
    fake.write_text("these are not samples")
    code = main(["demo", "--input", str(fake)])
    _, err = capsys.readouterr()
    assert code == 2
    assert "not a WAV file" in _one_error_line(err)


def test_unsupported_wav(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # A WAV header with an MP3 payload (format tag 0x55).
    header = (
        b"RIFF"
        + (36).to_bytes(4, "little")
        + b"WAVE"
        + b"fmt "
        + (16).to_bytes(4, "little")
        + (0x55).to_bytes(2, "little")
        + (1).to_bytes(2, "little")
        + (16000).to_bytes(4, "little")
        + (2000).to_bytes(4, "little")
        + (1).to_bytes(2, "little")
        + (0).to_bytes(2, "little")
        + b"data"
        + (0).to_bytes(4, "little")
    )
    path = tmp_path / "song.wav"
    path.write_bytes(header)
    assert main(["demo", "--input", str(path)]) == 2
    assert "unsupported WAV file" in _one_error_line(capsys.readouterr().err)


def test_empty_wav(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from voicelive.audio import PCM16_24K, write_wav

    path = tmp_path / "empty.wav"
    write_wav(path, b"", PCM16_24K)
    assert main(["demo", "--input", str(path)]) == 2
    assert "holds no audio" in _one_error_line(capsys.readouterr().err)


def test_output_directory_missing(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(["demo", "--text", "hi", "--output", str(tmp_path / "no" / "such" / "r.wav")])
    assert code == 2
    assert "does not exist" in _one_error_line(capsys.readouterr().err)


@pytest.mark.parametrize("endpoint", ["not a url", "ftp://example.com", "https://"])
def test_bad_endpoint(capsys: pytest.CaptureFixture[str], endpoint: str) -> None:
    assert main(["demo", "--text", "hi", "--endpoint", endpoint]) == 2
    assert "must be a URL" in _one_error_line(capsys.readouterr().err)


def test_wrong_key_is_401_and_never_printed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, server_thread: Any
) -> None:
    monkeypatch.setenv(KEY_ENV, CANARY)
    with server_thread(api_key="the-right-key") as server:
        monkeypatch.setenv(ENDPOINT_ENV, server.endpoint)
        code = main(["demo", "--fast", "--output", os.devnull])
    out, err = capsys.readouterr()
    assert code == 1
    line = _one_error_line(err)
    assert "authentication failed" in line
    assert "401" in line
    assert KEY_ENV in line  # says what to check
    assert "talking to local Voice Live server at http://127.0.0.1:" in out
    assert "API key from AZURE_COGNITIVE_SERVICES_KEY" in out
    assert CANARY not in out + err


def test_check_wrong_key(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, server_thread: Any
) -> None:
    monkeypatch.setenv(KEY_ENV, CANARY)
    with server_thread(api_key="the-right-key") as server:
        code = main(["check", "--endpoint", server.endpoint])
    out, err = capsys.readouterr()
    assert code == 1
    assert "authentication failed" in _one_error_line(err)
    assert CANARY not in out + err


def _run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in (ENDPOINT_ENV, KEY_ENV)}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "voicelive", *args],
        env=full_env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_unreachable_endpoint_subprocess(tmp_path: Path) -> None:
    result = _run_cli(
        "demo",
        "--fast",
        env={ENDPOINT_ENV: "http://127.0.0.1:9", KEY_ENV: CANARY},
        cwd=tmp_path,
    )
    assert result.returncode == 1
    line = _one_error_line(result.stderr)
    assert "cannot connect to http://127.0.0.1:9" in line
    assert CANARY not in result.stdout + result.stderr
    assert not (tmp_path / "reply.wav").exists()


def test_usage_error_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["demo", "--no-such-option"])
    assert info.value.code == 2
    with pytest.raises(SystemExit):
        main(["demo", "--text", "a", "--input", "b.wav"])  # mutually exclusive
    assert "not allowed with" in capsys.readouterr().err


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "demo" in capsys.readouterr().out


def test_safe_endpoint_hides_userinfo_and_query() -> None:
    shown = safe_endpoint("https://user:secret@host.example:8443/path/?api-key=k#frag")
    assert shown == "https://host.example:8443/path"
    assert safe_endpoint("http://[::1]:80") == "http://[::1]:80"


# ----------------------------------------------------------------- failures during the exchange


async def _close_after_update(conn: Any) -> None:
    from voicelive.testing._emulator import default_session

    await conn.send({"type": "session.created", "session": default_session("s")})
    async for event in conn:
        if event.type == "session.update":
            await conn.close(1011, "internal error")
            return


async def _refuse_update(conn: Any) -> None:
    from voicelive.testing._emulator import default_session

    await conn.send({"type": "session.created", "session": default_session("s")})
    async for event in conn:
        if event.type == "session.update":
            await conn.send(
                {"type": "error", "error": {"code": "invalid_value", "message": "no such voice"}}
            )


async def _garbage_then_close(conn: Any) -> None:
    from voicelive.testing._emulator import default_session

    await conn.send_raw("{not json")
    await conn.send({"type": "session.created", "session": default_session("s")})
    await conn.close(1000)


@pytest.mark.parametrize(
    ("handler", "message"),
    [
        (
            _close_after_update,
            "the connection closed unexpectedly: WebSocket closed with code 1011",
        ),
        (_refuse_update, "the server answered with an error: invalid_value: no such voice"),
        (_garbage_then_close, "close"),  # noticed by the reader or by the next send
    ],
)
def test_failures_during_the_exchange(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    server_thread: Any,
    handler: Any,
    message: str,
) -> None:
    monkeypatch.setenv(KEY_ENV, "k")
    with server_thread(handler) as server:
        code = main(["demo", "--fast", "--text", "hi", "--endpoint", server.endpoint])
    out, err = capsys.readouterr()
    assert code == 1
    assert message in _one_error_line(err)
    if handler is _garbage_then_close:
        assert "unreadable frame skipped" in out  # shown, and the exchange went on


def test_entra_id_failure_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, server_thread: Any
) -> None:
    from azure.core.exceptions import ClientAuthenticationError

    closed: list[bool] = []

    class NoToken:
        async def get_token(self, *scopes: str, **kwargs: Any) -> Any:
            raise ClientAuthenticationError(
                "DefaultAzureCredential failed to retrieve a token.\nAttempted credentials: ..."
            )

        async def close(self) -> None:
            closed.append(True)

    monkeypatch.setattr("voicelive.cli._target._entra_credential", NoToken)
    with server_thread() as server:
        code = main(["check", "--endpoint", server.endpoint])
    out, err = capsys.readouterr()
    assert code == 1
    line = _one_error_line(err)
    assert "could not get a Microsoft Entra ID token" in line
    assert "az login" in line
    assert "Microsoft Entra ID via DefaultAzureCredential" in out
    assert closed == [True]  # the credential's HTTP sessions are released


def test_entra_id_token_is_used(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, server_thread: Any
) -> None:
    from azure.core.credentials import AccessToken

    class Token:
        async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
            assert scopes == ("https://ai.azure.com/.default",)
            return AccessToken(CANARY, 2**31)

        async def close(self) -> None:
            pass

    monkeypatch.setattr("voicelive.cli._target._entra_credential", Token)
    with server_thread(api_key="keys-refused") as server:
        code = main(
            [
                "demo",
                "--fast",
                "--text",
                "hi",
                "--endpoint",
                server.endpoint,
                "--output",
                os.devnull,
            ]
        )
        headers = server.connections[0].headers
    out, err = capsys.readouterr()
    assert code == 0, err
    assert headers["Authorization"] == f"Bearer {CANARY}"
    assert CANARY not in out + err


def test_no_end_of_speech_commits_by_hand(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from voicelive.audio import PCM16_16K, silence, write_wav

    monkeypatch.setattr("voicelive.cli._demo.END_OF_SPEECH_TIMEOUT", 0.2)
    quiet = tmp_path / "quiet.wav"
    write_wav(quiet, silence(PCM16_16K, 1000), PCM16_16K)
    code = main(["demo", "--fast", "--input", str(quiet), "--output", os.devnull])
    out = capsys.readouterr().out
    assert code == 0
    assert "server VAD reported no end of speech; committing the turn by hand" in out
    assert "response   done: completed" in out


def test_debug_shows_the_traceback(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["--debug", "demo", "--input", str(tmp_path / "none.wav")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err
    assert err.rstrip().splitlines()[-1].startswith("voicelive: error: input file not found")


def test_interrupt_and_unexpected_errors(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from voicelive.cli import _app

    async def interrupted(*args: Any) -> int:
        raise KeyboardInterrupt

    async def broken(*args: Any) -> int:
        raise RuntimeError("boom")

    monkeypatch.setitem(_app._COMMANDS, "replay", interrupted)
    assert main(["replay", "x"]) == 130
    assert "voicelive: interrupted" in capsys.readouterr().err
    monkeypatch.setitem(_app._COMMANDS, "replay", broken)
    assert main(["replay", "x"]) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert "unexpected RuntimeError: boom" in line
    assert "--debug" in line


@pytest.mark.parametrize(
    ("endpoint", "suggestion"),
    [
        ("127.0.0.1:8765", "did you mean http://127.0.0.1:8765?"),
        ("localhost:8765", "did you mean http://localhost:8765?"),
        ("myres.services.ai.azure.com", "did you mean https://myres.services.ai.azure.com?"),
    ],
)
def test_endpoint_without_scheme_is_echoed_as_typed(
    capsys: pytest.CaptureFixture[str], endpoint: str, suggestion: str
) -> None:
    assert main(["demo", "--text", "hi", "--endpoint", endpoint]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert f"got {endpoint!r}; {suggestion}" in line
    assert "'://" not in line


def test_endpoint_without_scheme_never_echoes_secrets(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--text", "hi", "--endpoint", f"me:{CANARY}@host:1/x?api-key={CANARY}"])
    line = _one_error_line(capsys.readouterr().err)
    assert CANARY not in line
    assert "got 'host:1/x'" in line
