"""``voicelive demo`` end to end against the in-process emulator."""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from voicelive.audio import AudioFormat, read_wav_info, write_wav
from voicelive.cli import main
from voicelive.cli._demo import BUNDLED_TRANSCRIPT, STAND_IN_BUNDLED, STAND_IN_OTHER
from voicelive.cli._target import ENDPOINT_ENV, KEY_ENV

STAMP = re.compile(r"^\[\s*\d+\.\d\ds\] (\S+(?: \S+)?)\s+")
CANARY = "canary-demo-key-0b9f2e71"


def _check_reply_wav(path: Path) -> None:
    data = path.read_bytes()
    assert data[:4] == b"RIFF"
    assert data[8:12] == b"WAVE"
    assert struct.unpack_from("<I", data, 4)[0] == len(data) - 8
    info = read_wav_info(path)
    assert (info.format_tag, info.channels, info.sample_rate, info.bits_per_sample) == (
        1,
        1,
        24000,
        16,
    )
    assert info.duration_s > 1.0


def _labels(out: str) -> list[str]:
    return [m.group(1) for line in out.splitlines() if (m := STAMP.match(line))]


def test_demo_fast(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    reply = tmp_path / "reply.wav"
    assert main(["demo", "--fast", "--output", str(reply)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith("voicelive demo: talking to the LOCAL EMULATOR at http://127.0.0.1:")
    assert f"Set {ENDPOINT_ENV} to run the same exchange against Azure" in out
    labels = _labels(out)
    # The milestones, in order.
    order = ["connected", "session", "you", "vad", "input", "you said", "response", "assistant"]
    positions = [labels.index(label) for label in order]
    assert positions == sorted(positions), labels
    assert "audio" in labels
    assert "speech started (input audio at" in out
    assert "speech stopped (input audio at" in out
    assert f"you said   {BUNDLED_TRANSCRIPT}" in out
    assert f"assistant  You said: {BUNDLED_TRANSCRIPT}" in out
    assert re.search(r"first audio byte \(\d+ ms after your turn ended\)", out)
    assert re.search(r"audio      [\d,]+ ms received \([\d,]+ bytes in \d+ chunks\)", out)
    assert "response   done: completed" in out
    assert "as fast as possible (--fast)" in out
    summary = out[out.index("\nSummary\n") :]
    for row in ("target", "turn latency", "audio sent", "audio received", "events received"):
        assert f"  {row}" in summary
    assert f"-> {reply}" in summary
    assert re.search(r"\s+\d+  response\.audio\.delta", summary)
    _check_reply_wav(reply)


def test_demo_real_time_as_in_the_readme(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's first command: plain ``voicelive demo`` (real-time pace), reply.wav in cwd."""
    monkeypatch.chdir(tmp_path)
    started = time.monotonic()
    assert main(["demo"]) == 0
    elapsed = time.monotonic() - started
    out = capsys.readouterr().out
    assert "at real-time pace" in out
    assert "-> reply.wav" in out
    # Where the reply goes is said before anything is sent, as an absolute path.
    announced = f"The reply audio will be written to {tmp_path.resolve() / 'reply.wav'} "
    assert out.index(announced) < out.index("connected  local emulator")
    assert f"you said   {BUNDLED_TRANSCRIPT}\n" in out
    note = out.split(f"you said   {BUNDLED_TRANSCRIPT}\n", 1)[1].splitlines()[0]
    assert note.endswith(f"note       {STAND_IN_BUNDLED}")
    _check_reply_wav(tmp_path / "reply.wav")
    # The recording is ~4 s and is streamed at its own pace.
    assert elapsed > 3.5
    stopped = next(line for line in out.splitlines() if "speech stopped" in line)
    assert float(stopped[1:6]) > 3.0
    # docs/getting-started.md shows a captured run: it must still look like this one.
    page = (Path(__file__).resolve().parents[2] / "docs" / "getting-started.md").read_text()
    captured = page.split("$ voicelive demo\n", 1)[1].split("\n```", 1)[0]
    assert "in a\ndirectory `/tmp/voicelive-try`:" in page  # where the capture was taken
    shape = re.compile(r"\d[\d,.]*")
    ours = out.rstrip("\n").replace(str(tmp_path.resolve()), "/tmp/voicelive-try")
    assert shape.sub("#", captured) == shape.sub("#", ours)


def test_demo_text_turn(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(["demo", "--fast", "--text", "Tell me a joke", "--output", str(tmp_path / "j.wav")])
    out = capsys.readouterr().out
    assert code == 0
    assert 'you        "Tell me a joke" (text turn)' in out
    assert "assistant  You said: Tell me a joke" in out
    assert "note" not in _labels(out)  # a text turn has no transcript to label
    assert f"The reply audio will be written to {(tmp_path / 'j.wav').resolve()} " in out
    assert "vad" not in _labels(out)
    _check_reply_wav(tmp_path / "j.wav")


def test_demo_any_wav_is_converted(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # 48 kHz stereo float32, two seconds of a voiced sound, then silence.
    rate = 48000
    t = np.arange(rate * 2) / rate
    voice = 0.3 * np.sin(2 * np.pi * 160 * t) * (1 + np.sin(2 * np.pi * 4 * t)) / 2
    stereo = np.stack([voice, voice], axis=1).astype(np.float32)
    path = tmp_path / "question.wav"
    # write_wav writes PCM16 / G.711 only; write a float WAV by hand.
    body = stereo.tobytes()
    fmt = struct.pack("<HHIIHH", 3, 2, rate, rate * 8, 8, 32)
    path.write_bytes(
        b"RIFF"
        + struct.pack("<I", 4 + 24 + 8 + len(body))
        + b"WAVEfmt "
        + struct.pack("<I", 16)
        + fmt
        + b"data"
        + struct.pack("<I", len(body))
        + body
    )
    code = main(["demo", "--fast", "--input", str(path), "--output", str(tmp_path / "r.wav")])
    out = capsys.readouterr().out
    assert code == 0
    assert "streaming question.wav (2.00 s, 48000 Hz 2 channels -> pcm16 24000 Hz)" in out
    assert "speech started" in out
    assert "you said   (audio" in out  # the emulator's stand-in transcript
    assert f"note       {STAND_IN_OTHER}" in out
    assert STAND_IN_BUNDLED not in out
    _check_reply_wav(tmp_path / "r.wav")


def test_demo_g711_input_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from voicelive.audio import G711_ULAW, load_wav_for_session
    from voicelive.cli._demo import bundled_wav

    path = tmp_path / "call.wav"
    write_wav(path, load_wav_for_session(bundled_wav(), G711_ULAW), G711_ULAW)
    assert main(["demo", "--fast", "--input", str(path), "--output", os.devnull]) == 0
    assert "8000 Hz mono -> pcm16 24000 Hz" in capsys.readouterr().out


def test_demo_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["demo", "--fast", "--json", "--output", str(tmp_path / "r.wav")]) == 0
    out, err = capsys.readouterr()
    assert "LOCAL EMULATOR" in err  # the notice goes to stderr, stdout stays machine-readable
    records = [json.loads(line) for line in out.splitlines()]
    kinds = {r["kind"] for r in records}
    assert kinds == {"info", "send", "recv", "summary"}
    assert records[0]["kind"] == "info"
    assert records[0]["target"] == "emulator"
    times = [r["t"] for r in records]
    assert times == sorted(times)
    audio = [r for r in records if r.get("type") == "response.audio.delta" and r["kind"] == "recv"]
    assert audio
    assert all("delta" not in r["event"] and r["event"]["delta_bytes"] > 0 for r in audio)
    sends = [r for r in records if r["kind"] == "send"]
    assert sends[0]["type"] == "session.update"
    assert all(r["bytes"] > 0 for r in sends)
    summary = records[-1]
    assert summary["kind"] == "summary"
    assert summary["response_status"] == "completed"
    assert summary["user_transcript"] == BUNDLED_TRANSCRIPT
    assert summary["audio_received_bytes"] == sum(r["event"]["delta_bytes"] for r in audio)
    assert summary["events_received"]["response.audio.delta"] == len(audio)
    assert summary["turn_latency_s"] is not None


def test_demo_never_prints_the_key(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV, CANARY)  # set but unused: no endpoint, so the emulator
    assert main(["demo", "--fast", "--json", "--output", os.devnull]) == 0
    assert main(["demo", "--fast", "-v", "--output", os.devnull]) == 0
    out, err = capsys.readouterr()
    assert CANARY not in out + err


def test_demo_emulator_flag_wins_over_endpoint(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENDPOINT_ENV, "http://127.0.0.1:9")
    assert main(["demo", "--fast", "--emulator", "--text", "hi", "--output", os.devnull]) == 0
    assert "LOCAL EMULATOR" in capsys.readouterr().out


def test_python_m_voicelive_subprocess(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in (ENDPOINT_ENV, KEY_ENV)}
    env[KEY_ENV] = CANARY
    (tmp_path / "tmp").mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "voicelive", "demo", "--fast", "--output", "tmp/reply.wav"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "talking to the LOCAL EMULATOR" in result.stdout
    assert "vad        speech stopped" in result.stdout
    assert "Summary" in result.stdout
    assert CANARY not in result.stdout
    _check_reply_wav(tmp_path / "tmp" / "reply.wav")


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).with_name("voicelive")
    if not script.exists():
        pytest.skip("console script not installed next to this interpreter")
    result = subprocess.run(
        [str(script), "--version"], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 0
    assert result.stdout.startswith("voicelive ")


def test_bundled_recording_is_real_speech() -> None:
    """The packaged WAV: 16 kHz mono PCM16, a few seconds, speech with pauses."""
    from voicelive.audio import read_wav
    from voicelive.cli._demo import bundled_wav

    samples, rate, channels = read_wav(bundled_wav())
    assert (rate, channels) == (16000, 1)
    assert 2.0 < len(samples) / rate < 6.0
    frames = samples[: len(samples) // 320 * 320].reshape(-1, 320).astype(np.float64)
    rms = np.sqrt((frames**2).mean(axis=1))
    assert (rms > 1000).mean() > 0.4  # mostly voiced
    assert rms[:5].max() < 50  # starts with silence
    assert AudioFormat("pcm16", 16000).bytes_per_second == 32000
