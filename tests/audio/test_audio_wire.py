"""The connection's helpers: to_wire_audio, encode_for_session, WireEncoder, decode_from_wire."""

from __future__ import annotations

import numpy as np
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
    WireEncoder,
    alaw_encode,
    decode_from_wire,
    encode_for_session,
    interleave,
    resample,
    to_wire_audio,
    ulaw_decode,
    ulaw_encode,
)

PCM = np.array([0, 1000, -1000, 32767, -32768, 7], np.int16)
PCM_BYTES = PCM.astype("<i2").tobytes()


def test_bytes_like_pass_through_as_bytes() -> None:
    assert to_wire_audio(PCM_BYTES) is PCM_BYTES  # no copy on the hot path
    assert to_wire_audio(bytearray(PCM_BYTES)) == PCM_BYTES
    assert type(to_wire_audio(bytearray(PCM_BYTES))) is bytes
    assert to_wire_audio(memoryview(PCM_BYTES)) == PCM_BYTES
    assert to_wire_audio(memoryview(PCM.astype("<i2").data)) == PCM_BYTES  # a non-byte memoryview
    assert to_wire_audio(b"\xff\x7f\x00", G711_ULAW) == b"\xff\x7f\x00"
    assert to_wire_audio(b"", PCM16_24K) == b""


@pytest.mark.parametrize(
    ("audio", "fmt", "match"),
    [
        (b"\x00\x00\x00", PCM16_24K, "even number of bytes.*got 3 bytes"),
        (bytearray(6), PCM16_24K_STEREO, "multiple of 4 bytes.*got 6 bytes"),
        (memoryview(b"\x00"), PCM16_16K, "got 1 bytes"),
    ],
)
def test_bad_byte_lengths(audio: object, fmt: AudioFormat, match: str) -> None:
    with pytest.raises(AudioFormatError, match=match):
        to_wire_audio(audio, fmt)


def test_arrays_become_pcm16_or_g711() -> None:
    assert to_wire_audio(PCM) == PCM_BYTES
    assert to_wire_audio(PCM, PCM16_8K) == PCM_BYTES
    assert to_wire_audio(PCM, G711_ULAW) == ulaw_encode(PCM)
    assert to_wire_audio(PCM, G711_ALAW) == alaw_encode(PCM)
    f32 = np.array([0.0, 0.5, -0.5, 1.5, -1.5], np.float32)
    expected = np.array([0, 16384, -16384, 32767, -32768], "<i2").tobytes()
    assert to_wire_audio(f32) == expected
    assert to_wire_audio(f32.astype(np.float64), PCM16_24K) == expected
    stereo = np.array([[1, 2], [3, 4]], np.int16)
    assert to_wire_audio(stereo, PCM16_24K_STEREO) == np.array([1, 2, 3, 4], "<i2").tobytes()
    assert to_wire_audio(stereo.reshape(-1), PCM16_24K_STEREO) == to_wire_audio(stereo)


@pytest.mark.parametrize(
    ("audio", "fmt", "match"),
    [
        ("AAAA", None, "got str"),
        ([0, 1, 2], None, "got list"),
        (None, PCM16_24K, "got NoneType"),
        (np.zeros(4, np.int32), None, "got dtype int32"),
        (np.zeros(4, np.uint8), G711_ULAW, "got dtype uint8"),
        (np.zeros((2, 2, 2), np.int16), None, r"got shape \(2, 2, 2\)"),
        (np.array(3, np.int16), None, r"got shape \(\)"),
        (np.int16(3), None, "got int16"),
        (np.zeros((4, 2), np.int16), PCM16_24K, "array has 2 channels.*has 1"),
        (np.zeros(5, np.int16), PCM16_24K_STEREO, "multiple of 2 samples, got 5"),
    ],
)
def test_bad_audio(audio: object, fmt: AudioFormat | None, match: str) -> None:
    with pytest.raises(AudioFormatError, match=match):
        to_wire_audio(audio, fmt)


def test_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="got str"):
        to_wire_audio("base64?")


def test_wrong_type_message_lists_what_is_accepted() -> None:
    message = "audio must be bytes, bytearray, memoryview or a numpy int16/float array, got dict"
    with pytest.raises(AudioFormatError) as caught:
        to_wire_audio({})
    assert str(caught.value) == message


def sine(rate: int, seconds: float = 0.2, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (0.4 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


@pytest.mark.parametrize("fmt", [PCM16_24K, PCM16_16K, PCM16_8K, G711_ULAW, G711_ALAW])
@pytest.mark.parametrize("src_rate", [8000, 24000, 44100, 48000])
def test_encode_for_session_resamples_and_encodes(src_rate: int, fmt: AudioFormat) -> None:
    x = sine(src_rate)
    wire = encode_for_session(x, src_rate, fmt)
    expected = to_wire_audio(resample(x, src_rate, fmt.sample_rate), fmt)
    assert wire == expected
    assert len(wire) == fmt.block_align * -(-len(x) * fmt.sample_rate // src_rate)


def test_encode_for_session_downmixes_and_accepts_bytes() -> None:
    left = sine(48000)
    stereo = np.stack([left, left], axis=1)
    assert encode_for_session(stereo, 48000, PCM16_24K) == encode_for_session(
        left, 48000, PCM16_24K
    )
    pcm = (left * 32767).astype(np.int16)
    assert encode_for_session(pcm.astype("<i2").tobytes(), 48000, G711_ULAW) == encode_for_session(
        pcm, 48000, G711_ULAW
    )
    pcm_st = np.stack([pcm, pcm], axis=1)
    assert encode_for_session(pcm_st.tobytes(), 48000, PCM16_24K, channels=2) == encode_for_session(
        pcm, 48000, PCM16_24K
    )


def test_encode_for_session_stereo_session_needs_stereo_input() -> None:
    mic, ref = sine(24000), sine(24000, freq=880)
    wire = encode_for_session(interleave(mic, ref), 24000, PCM16_24K_STEREO)
    assert len(wire) == 4 * len(mic)
    # stereo PCM16 bytes default to the format's channel count
    st16 = (interleave(mic, ref) * 32767).astype("<i2")
    assert encode_for_session(st16.tobytes(), 48000, PCM16_24K_STEREO) == encode_for_session(
        st16.astype(np.int16), 48000, PCM16_24K_STEREO
    )
    with pytest.raises(AudioFormatError, match=r"needs 2-channel input.*interleave"):
        encode_for_session(mic, 24000, PCM16_24K_STEREO)
    with pytest.raises(AudioFormatError, match="got dtype int64"):
        encode_for_session(np.zeros(4, np.int64), 24000, PCM16_24K)
    with pytest.raises(AudioFormatError, match="1-D or"):
        encode_for_session(np.zeros((2, 2, 2), np.int16), 24000, PCM16_24K)


@pytest.mark.parametrize("fmt", [PCM16_24K, G711_ULAW, PCM16_16K])
def test_wire_encoder_streams_like_one_shot(fmt: AudioFormat) -> None:
    x = sine(48000, 0.5)
    enc = WireEncoder(48000, fmt)
    out = b"".join(enc.encode(x[i : i + 480]) for i in range(0, len(x), 480)) + enc.flush()
    whole = encode_for_session(x, 48000, fmt)
    assert len(out) == len(whole)
    a = decode_from_wire(out, fmt).astype(np.int32)
    b = decode_from_wire(whole, fmt).astype(np.int32)
    # Chunking may change the BLAS summation order, so a PCM16 sample on a .5 tie can round
    # the other way (and G.711 then pick the neighbouring code): within 1 LSB in PCM16, one
    # code step (at most 1024) in G.711, and only at such rare ties.
    assert np.abs(a - b).max() <= (1 if fmt.encoding == "pcm16" else 1024)
    assert np.count_nonzero(a != b) <= len(a) // 1000


def test_wire_encoder_downmixes_and_checks_channels() -> None:
    x = sine(16000)
    stereo = np.stack([x, x], axis=1)
    enc = WireEncoder(16000, PCM16_24K, src_channels=2)
    assert (enc.src_rate, enc.fmt, enc.src_channels) == (16000, PCM16_24K, 2)
    out = enc.encode(stereo) + enc.flush()
    assert out == encode_for_session(x, 16000, PCM16_24K)
    with pytest.raises(AudioFormatError, match="expected 2-channel audio"):
        enc.encode(x)
    with pytest.raises(AudioFormatError, match="needs 2-channel input, got src_channels=1"):
        WireEncoder(24000, PCM16_24K_STEREO, src_channels=1)
    enc2 = WireEncoder(24000, PCM16_24K_STEREO)  # channels default to the format's
    pcm = (stereo * 32767).astype(np.int16)
    assert enc2.encode(pcm.tobytes()) + enc2.flush() == pcm.astype("<i2").tobytes()


def test_decode_from_wire() -> None:
    assert decode_from_wire(PCM_BYTES, PCM16_24K).tolist() == PCM.tolist()
    assert decode_from_wire(memoryview(PCM_BYTES), PCM16_8K).dtype == np.int16
    codes = bytes(range(256))
    assert decode_from_wire(codes, G711_ULAW).tolist() == ulaw_decode(codes).tolist()
    assert decode_from_wire(alaw_encode(PCM), G711_ALAW).shape == (6,)
    assert decode_from_wire(PCM_BYTES[:8], PCM16_24K_STEREO).shape == (2, 2)
    assert decode_from_wire(b"\xff\xff", AudioFormat("g711_ulaw", 8000, 2)).shape == (1, 2)
    stereo_ulaw = decode_from_wire(b"\xff\x80\x00\xff\x80\x00", AudioFormat("g711_ulaw", 8000, 2))
    assert stereo_ulaw.tolist() == [[0, 32124], [-32124, 0], [32124, -32124]]
    # a memoryview over int16 samples: its length counts samples, the check counts bytes
    view = memoryview(np.array([1000, -1000, 7], "<i2"))
    assert decode_from_wire(view, PCM16_24K).tolist() == [1000, -1000, 7]
    with pytest.raises(AudioFormatError, match=r"even number of bytes.*got 5 bytes"):
        decode_from_wire(PCM_BYTES[:5], PCM16_24K)
    with pytest.raises(AudioFormatError, match="multiple of 4 bytes"):
        decode_from_wire(PCM_BYTES[:6], PCM16_24K_STEREO)
