"""AudioFormat: numbers, session-field mapping, the playback clock."""

from __future__ import annotations

import dataclasses
import enum

import pytest

from voicelive.audio import (
    G711_ALAW,
    G711_ULAW,
    PCM16_8K,
    PCM16_16K,
    PCM16_24K,
    PCM16_24K_STEREO,
    AudioFormat,
    AudioFormatError,
    decode_from_wire,
    input_format_of,
    output_format_of,
)
from voicelive.exceptions import VoiceLiveError


class InputAudioFormat(str, enum.Enum):
    """Stand-in for the models' str-enum (same shape as the official SDK's)."""

    PCM16 = "pcm16"
    G711_ULAW = "g711_ulaw"
    G711_ALAW = "g711_alaw"


class OutputAudioFormat(str, enum.Enum):
    PCM16 = "pcm16"
    PCM16_8000HZ = "pcm16_8000hz"
    PCM16_16000HZ = "pcm16_16000hz"
    G711_ULAW = "g711_ulaw"


def test_constants() -> None:
    assert (PCM16_24K.encoding, PCM16_24K.sample_rate, PCM16_24K.channels) == ("pcm16", 24000, 1)
    assert PCM16_16K.sample_rate == 16000
    assert PCM16_8K.sample_rate == 8000
    assert (G711_ULAW.encoding, G711_ULAW.sample_rate) == ("g711_ulaw", 8000)
    assert (G711_ALAW.encoding, G711_ALAW.sample_rate) == ("g711_alaw", 8000)
    assert PCM16_24K_STEREO.channels == 2


def test_sizes() -> None:
    assert PCM16_24K.bytes_per_sample == 2
    assert PCM16_24K.bytes_per_second == 48000
    assert PCM16_24K_STEREO.block_align == 4
    assert PCM16_24K_STEREO.bytes_per_second == 96000
    assert G711_ULAW.bytes_per_sample == 1
    assert G711_ULAW.bytes_per_second == 8000
    assert G711_ALAW.is_g711
    assert not PCM16_8K.is_g711


def test_frozen_and_hashable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        PCM16_24K.sample_rate = 16000  # type: ignore[misc]
    assert {PCM16_24K, AudioFormat("pcm16", 24000)} == {PCM16_24K}
    assert str(PCM16_24K_STEREO) == "pcm16 24000 Hz 2ch"
    assert str(G711_ULAW) == "g711_ulaw 8000 Hz mono"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"encoding": "opus", "sample_rate": 48000}, r"unknown audio encoding 'opus'.*'pcm16'"),
        ({"encoding": "pcm16", "sample_rate": 0}, "positive"),
        ({"encoding": "pcm16", "sample_rate": 24000.0}, "must be an int"),
        ({"encoding": "pcm16", "sample_rate": True}, "must be an int"),
        ({"encoding": "pcm16", "sample_rate": 24000, "channels": 0}, "at least 1"),
        ({"encoding": "pcm16", "sample_rate": 24000, "channels": "2"}, "must be an int"),
    ],
)
def test_invalid_construction(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(AudioFormatError, match=match):
        AudioFormat(**kwargs)  # type: ignore[arg-type]


def test_error_is_value_error_and_voicelive_error() -> None:
    assert issubclass(AudioFormatError, ValueError)
    assert issubclass(AudioFormatError, VoiceLiveError)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), PCM16_24K),
        ((None, None, None), PCM16_24K),
        (("pcm16",), PCM16_24K),
        (("pcm16", 16000), PCM16_16K),
        (("pcm16", 8000), PCM16_8K),
        (("pcm16", 24000, 2), PCM16_24K_STEREO),
        (("pcm16", 16000, 2), AudioFormat("pcm16", 16000, 2)),
        (("pcm16", None, 1), PCM16_24K),
        (("g711_ulaw",), G711_ULAW),
        (("g711_alaw", 8000), G711_ALAW),
        (("g711_alaw", None, 1), G711_ALAW),
        ((InputAudioFormat.PCM16, 16000), PCM16_16K),
        ((InputAudioFormat.G711_ULAW,), G711_ULAW),
        ((" PCM16 ",), PCM16_24K),
    ],
)
def test_from_input_session(args: tuple[object, ...], expected: AudioFormat) -> None:
    assert AudioFormat.from_input_session(*args) == expected  # type: ignore[arg-type]


def test_g711_ignores_an_inherited_sampling_rate() -> None:
    assert AudioFormat.from_input_session("g711_ulaw", 24000) == G711_ULAW
    assert AudioFormat.from_input_session("g711_alaw", 16000) == G711_ALAW


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("opus",), r"unknown input_audio_format 'opus'; supported: 'pcm16', 'g711_ulaw'"),
        (("pcm16_8000hz",), "unknown input_audio_format 'pcm16_8000hz'"),
        (
            ("pcm16", 44100),
            r"^input_audio_sampling_rate 44100 is not supported for pcm16; "
            r"supported: 8000, 16000, 24000$",
        ),
        (("g711_alaw", None, 2), "stereo input .* requires pcm16"),
        (("pcm16", 24000, 3), "channels must be 1 or 2, got 3"),
        ((42,), "must be a string, got int"),
    ],
)
def test_from_input_session_errors(args: tuple[object, ...], match: str) -> None:
    with pytest.raises(AudioFormatError, match=match):
        AudioFormat.from_input_session(*args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, PCM16_24K),
        ("pcm16", PCM16_24K),
        ("pcm16_8000hz", PCM16_8K),
        ("pcm16_16000hz", PCM16_16K),
        ("pcm16-8000hz", PCM16_8K),  # legacy spelling
        ("pcm16-16000hz", PCM16_16K),
        ("g711_ulaw", G711_ULAW),
        ("g711_alaw", G711_ALAW),
        (OutputAudioFormat.PCM16_8000HZ, PCM16_8K),
        (OutputAudioFormat.G711_ULAW, G711_ULAW),
    ],
)
def test_from_output_session(value: object, expected: AudioFormat) -> None:
    assert AudioFormat.from_output_session(value) == expected


def test_from_output_session_unknown() -> None:
    with pytest.raises(
        AudioFormatError, match=r"unknown output_audio_format 'mp3'.*'pcm16_8000hz'"
    ):
        AudioFormat.from_output_session("mp3")


class _Echo:
    channels = 2


class _Session:
    input_audio_format = InputAudioFormat.PCM16
    input_audio_sampling_rate = None
    input_audio_echo_cancellation = _Echo()
    output_audio_format = "pcm16_16000hz"


def test_formats_of_session_objects_and_dicts() -> None:
    assert input_format_of(_Session()) == PCM16_24K_STEREO
    assert output_format_of(_Session()) == PCM16_16K
    session = {
        "input_audio_format": "g711_ulaw",
        "output_audio_format": "g711_alaw",
        "input_audio_echo_cancellation": {"type": "server_echo_cancellation"},
    }
    assert input_format_of(session) == G711_ULAW
    assert output_format_of(session) == G711_ALAW
    assert input_format_of({}) == PCM16_24K
    assert output_format_of(object()) == PCM16_24K


# --- playback clock -------------------------------------------------------------------------


def test_bytes_to_ms() -> None:
    assert PCM16_24K.bytes_to_ms(48000) == 1000.0
    assert PCM16_24K.bytes_to_ms(480) == 10.0
    assert PCM16_24K.bytes_to_ms(481) == 10.0  # a half sample does not count
    assert PCM16_24K_STEREO.bytes_to_ms(963) == 10.0
    assert G711_ULAW.bytes_to_ms(160) == 20.0
    assert PCM16_8K.bytes_to_ms(0) == 0.0
    with pytest.raises(ValueError, match="negative"):
        PCM16_24K.bytes_to_ms(-2)


def test_ms_to_bytes_rounds_down_to_whole_samples() -> None:
    assert PCM16_24K.ms_to_bytes(10) == 480
    assert PCM16_24K.ms_to_bytes(20) == 960
    assert PCM16_24K.ms_to_bytes(0.05) == 2  # 1.2 samples -> 1 sample
    assert PCM16_24K.ms_to_bytes(0.01) == 0
    assert PCM16_24K_STEREO.ms_to_bytes(10) == 960
    assert G711_ALAW.ms_to_bytes(20) == 160
    assert AudioFormat("pcm16", 44100).ms_to_bytes(10) == 882
    assert AudioFormat("pcm16", 44100).ms_to_bytes(0.3) == 26  # 13.23 samples
    assert AudioFormat("pcm16", 10000).ms_to_bytes(0.3) == 6
    assert PCM16_24K.ms_to_samples(0.07) == 1  # 1.68 samples: down, not to the nearest
    assert PCM16_24K.ms_to_bytes(1500.5) == 72024
    with pytest.raises(ValueError, match="negative"):
        PCM16_24K.ms_to_bytes(-1)
    with pytest.raises(ValueError, match="negative"):
        PCM16_24K.ms_to_bytes(float("nan"))


@pytest.mark.parametrize("fmt", [PCM16_24K, PCM16_16K, PCM16_8K, G711_ULAW, PCM16_24K_STEREO])
def test_clock_round_trip(fmt: AudioFormat) -> None:
    for n in range(0, 5000, 7):
        ms = fmt.bytes_to_ms(n)
        assert fmt.ms_to_bytes(ms) == n - n % fmt.block_align
        assert fmt.ms_to_bytes(ms) % fmt.block_align == 0
    assert fmt.samples_to_ms(fmt.ms_to_samples(250)) == 250.0


def test_float_noise_in_durations_is_forgiven() -> None:
    """A duration computed from a sample count converts back to that count, even when binary
    floating point lands just below it (12.999999999999998 for 13 samples at 11025 Hz; the
    noise grows with the count, so the tolerance is relative)."""
    fmt = AudioFormat("pcm16", 11025)
    for samples in (13, 2829, 441043):  # 12.999999999999998, 2828.9999999999995, 441042.99999999994
        assert fmt.ms_to_samples(fmt.samples_to_ms(samples)) == samples
        assert fmt.ms_to_bytes(fmt.bytes_to_ms(2 * samples)) == 2 * samples


def test_one_hertz_is_a_valid_rate() -> None:
    assert AudioFormat("pcm16", 1).bytes_per_second == 2


@pytest.mark.parametrize(
    ("fmt", "message"),
    [
        (PCM16_24K, "PCM16 audio must have an even number of bytes (2 per sample), got 3 bytes"),
        (
            PCM16_24K_STEREO,
            "pcm16 24000 Hz 2ch audio must be a multiple of 4 bytes (whole sample frames), "
            "got 3 bytes",
        ),
    ],
)
def test_length_error_messages(fmt: AudioFormat, message: str) -> None:
    with pytest.raises(AudioFormatError) as caught:
        decode_from_wire(b"\x00\x00\x00", fmt)
    assert str(caught.value) == message
