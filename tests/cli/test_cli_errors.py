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
