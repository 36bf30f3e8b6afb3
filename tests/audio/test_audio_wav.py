"""WAV reading and writing; test files are built byte by byte in the tests."""

from __future__ import annotations

import io
import struct
import wave
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from voicelive.audio import (
    G711_ALAW,
    G711_ULAW,
    PCM16_8K,
    PCM16_16K,
    PCM16_24K,
    PCM16_24K_STEREO,
    AudioFormat,
    AudioFormatError,
    alaw_encode,
    decode_from_wire,
    encode_for_session,
    load_wav_for_session,
    read_wav,
    read_wav_info,
    ulaw_encode,
    wav_bytes,
    write_wav,
)

GUID_TAIL = bytes.fromhex("000000001000800000aa00389b71")


def riff(*chunks: tuple[bytes, bytes]) -> bytes:
    body = b"WAVE"
    for cid, data in chunks:
        body += cid + struct.pack("<I", len(data)) + data + (b"\x00" if len(data) % 2 else b"")
    return b"RIFF" + struct.pack("<I", len(body)) + body


def fmt_chunk(
    tag: int, channels: int, rate: int, bits: int, *, extensible: int | None = None
) -> bytes:
    align = channels * bits // 8
    base = struct.pack("<HHIIHH", tag, channels, rate, rate * align, align, bits)
    if extensible is None:
        return base
    return base + struct.pack("<HHI", 22, bits, 0) + struct.pack("<H", extensible) + GUID_TAIL


def make_wav(tag: int, channels: int, rate: int, bits: int, payload: bytes, **kw: int) -> bytes:
    return riff((b"fmt ", fmt_chunk(tag, channels, rate, bits, **kw)), (b"data", payload))


# A reference signal in float64 and its encodings in every sample type, written by hand.
RNG = np.random.default_rng(1)
REF = np.clip(np.concatenate([[0.0, 1.0, -1.0, 0.5, -0.5], RNG.uniform(-1, 1, 995)]), -1, 1)


def encode_int(x: NDArray[np.float64], bits: int) -> bytes:
    full = 2 ** (bits - 1)
    v: NDArray[np.int64] = np.clip(np.round(x * full), -full, full - 1).astype(np.int64)
    if bits == 8:
        return bytes((v + 128).astype(np.uint8).tobytes())
    out = bytearray()
    for s in v:  # slow and obvious little-endian two's complement
        out += int(s).to_bytes(bits // 8, "little", signed=True)
    return bytes(out)


def expected_int16(x: NDArray[np.float64], bits: int) -> NDArray[np.int16]:
    full = 2 ** (bits - 1)
    v = np.clip(np.round(x * full), -full, full - 1)
    out: NDArray[np.int16] = np.clip(np.round(v / full * 32768), -32768, 32767).astype(np.int16)
    return out


@pytest.mark.parametrize("bits", [8, 16, 24, 32])
@pytest.mark.parametrize("extensible", [False, True])
@pytest.mark.parametrize("channels", [1, 2])
def test_read_integer_pcm(bits: int, extensible: bool, channels: int) -> None:
    x = REF if channels == 1 else np.stack([REF, -REF], axis=1)
    payload = encode_int(x.reshape(-1), bits)
    tag = 0xFFFE if extensible else 1
    data = make_wav(
        tag, channels, 22050, bits, payload, **({"extensible": 1} if extensible else {})
    )
    samples, rate, ch = read_wav(data)
    assert (rate, ch) == (22050, channels)
    assert samples.dtype == np.int16
    expected = expected_int16(x, bits)
    assert samples.shape == expected.shape
    # exact: 24- and 32-bit samples scale to 16 bits without float error, and both sides
    # round half to even
    assert np.array_equal(samples, expected)
    info = read_wav_info(data)
    assert (info.format_tag, info.extensible, info.bits_per_sample) == (1, extensible, bits)
    assert info.frames == len(REF)
    assert info.duration_s == pytest.approx(len(REF) / 22050)


@pytest.mark.parametrize("bits", [32, 64])
@pytest.mark.parametrize("extensible", [False, True])
@pytest.mark.parametrize("channels", [1, 2])
def test_read_float(bits: int, extensible: bool, channels: int) -> None:
    hot = REF * 1.5  # out of range: must clip, not wrap
    x = hot if channels == 1 else np.stack([hot, REF], axis=1)
    stored = x.astype("<f4" if bits == 32 else "<f8")
    payload = stored.tobytes()
    tag = 0xFFFE if extensible else 3
    data = make_wav(
        tag, channels, 44100, bits, payload, **({"extensible": 3} if extensible else {})
    )
    samples, rate, ch = read_wav(data)
    assert (rate, ch) == (44100, channels)
    # exact, from the values the file holds (float32 files round the float64 reference)
    expected = np.clip(np.round(np.clip(stored, -1, 1) * 32768), -32768, 32767).astype(np.int16)
    assert np.array_equal(samples, expected)
    assert samples.max() == 32767
    assert samples.min() == -32768


@pytest.mark.parametrize(("tag", "fmt"), [(7, G711_ULAW), (6, G711_ALAW)])
def test_read_g711(tag: int, fmt: AudioFormat) -> None:
    pcm = (REF * 32767).astype(np.int16)
    codes = ulaw_encode(pcm) if tag == 7 else alaw_encode(pcm)
    samples, rate, ch = read_wav(make_wav(tag, 1, 8000, 8, codes))
    assert (rate, ch) == (8000, 1)
    assert np.array_equal(samples, decode_from_wire(codes, fmt))


def test_sources_path_bytes_file(tmp_path: Path) -> None:
    data = make_wav(1, 1, 16000, 16, encode_int(REF, 16))
    path = tmp_path / "x.wav"
    path.write_bytes(data)
    a = read_wav(path)[0]
    assert np.array_equal(read_wav(str(path))[0], a)
    assert np.array_equal(read_wav(io.BytesIO(data))[0], a)
    assert np.array_equal(read_wav(bytearray(data))[0], a)
    assert np.array_equal(read_wav(memoryview(data))[0], a)


def test_extra_chunks_odd_sizes_and_truncation() -> None:
    payload = encode_int(REF[:101], 16)
    data = riff(
        (b"LIST", b"odd"),  # odd size: padded
        (b"fmt ", fmt_chunk(1, 1, 8000, 16)),
        (b"junk", b"\x00" * 10),
        (b"data", payload),
        (b"cue ", b"\x00" * 4),
    )
    assert np.array_equal(read_wav(data)[0], expected_int16(REF[:101], 16))
    # data chunk claims more than the file has (a recorder that never patched the size)
    head = riff((b"fmt ", fmt_chunk(1, 1, 8000, 16)))
    streamed = head + b"data" + struct.pack("<I", 0xFFFFFFFF) + payload + b"\x01"  # + half sample
    assert np.array_equal(read_wav(streamed)[0], expected_int16(REF[:101], 16))
    # fmt after data is still found
    late = riff((b"data", payload), (b"fmt ", fmt_chunk(1, 1, 8000, 16)))
    assert read_wav(late)[1] == 8000


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"not a wav file at all", "not a WAV file"),
        (b"RIFF\x00\x00\x00\x00AVI LIST", "not a WAV file"),
        (b"RIFX\x00\x00\x00\x00WAVE", "unsupported WAV container 'RIFX'"),
        (b"RF64\x00\x00\x00\x00WAVE", "unsupported WAV container 'RF64'"),
        (riff((b"data", b"\x00\x00")), "no 'fmt ' chunk"),
        (riff((b"fmt ", fmt_chunk(1, 1, 8000, 16))), "no 'data' chunk"),
        (riff((b"fmt ", b"\x01\x00\x01\x00"), (b"data", b"")), "'fmt ' chunk of 4 bytes"),
        (
            make_wav(0x55, 2, 44100, 0, b""),
            r"format tag 85 \(0x0055, MP3\), 0 bits, 2 channels; supported: PCM 8/16/24/32",
        ),
        (make_wav(2, 1, 8000, 4, b""), r"format tag 2 \(0x0002, MS ADPCM\), 4 bits, 1 channels"),
        (make_wav(1, 1, 8000, 12, b""), r"format tag 1 \(0x0001, PCM\), 12 bits, 1 channels"),
        (make_wav(3, 1, 8000, 16, b""), r"format tag 3 \(0x0003, IEEE float\), 16 bits"),
        (make_wav(1, 0, 8000, 16, b""), "16 bits, 0 channels"),
        (
            make_wav(0xFFFE, 1, 8000, 16, b"", extensible=0x92),
            r"EXTENSIBLE with sub-format format tag 146 \(0x0092, unknown\), 16 bits",
        ),
        (
            riff((b"fmt ", fmt_chunk(0xFFFE, 1, 8000, 16)[:16] + b"\x00" * 24), (b"data", b"")),
            "sub-format GUID 0000",
        ),
        (
            riff((b"fmt ", fmt_chunk(0xFFFE, 1, 8000, 16)), (b"data", b"")),
            "EXTENSIBLE 'fmt ' chunk of 16",
        ),
        (
            riff((b"fmt ", struct.pack("<HHIIHH", 1, 2, 8000, 32000, 2, 16)), (b"data", b"")),
            "block align 2 does not match",
        ),
        (
            riff((b"fmt ", struct.pack("<HHIIHH", 1, 1, 0, 0, 2, 16)), (b"data", b"")),
            "sample rate 0",
        ),
    ],
)
def test_unsupported_files(data: bytes, match: str) -> None:
    with pytest.raises(AudioFormatError, match=match):
        read_wav(data)


EXT_PCM = struct.pack("<HHI", 22, 16, 0) + struct.pack("<H", 1) + GUID_TAIL  # sub-format PCM
SUPPORTED = (
    "supported: PCM 8/16/24/32-bit, IEEE float 32/64-bit, A-law/mu-law 8-bit "
    "(plain or WAVE_FORMAT_EXTENSIBLE)"
)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"not a wav file at all",
            "not a WAV file: expected a RIFF/WAVE header, got b'not a wav fi'",
        ),
        (riff((b"data", b"\x00\x00")), "invalid WAV file: no 'fmt ' chunk"),
        (riff((b"fmt ", fmt_chunk(1, 1, 8000, 16))), "invalid WAV file: no 'data' chunk"),
        (
            make_wav(0x55, 2, 44100, 0, b""),
            f"unsupported WAV file: format tag 85 (0x0055, MP3), 0 bits, 2 channels; {SUPPORTED}",
        ),
        (
            riff((b"fmt ", struct.pack("<HHIIHH", 1, 2, 8000, 32000, 2, 16)), (b"data", b"")),
            "invalid WAV file: block align 2 does not match format tag 1 (0x0001, PCM), "
            "16 bits, 2 channels",
        ),
        (
            riff(
                (b"fmt ", struct.pack("<HHIIHH", 0xFFFE, 2, 8000, 32000, 2, 16) + EXT_PCM),
                (b"data", b""),
            ),
            "invalid WAV file: block align 2 does not match WAVE_FORMAT_EXTENSIBLE with "
            "sub-format format tag 1 (0x0001, PCM), 16 bits, 2 channels",
        ),
        (
            make_wav(0xFFFE, 1, 8000, 12, b"", extensible=1),
            "unsupported WAV file: WAVE_FORMAT_EXTENSIBLE with sub-format format tag 1 "
            f"(0x0001, PCM), 12 bits, 1 channels; {SUPPORTED}",
        ),
    ],
)
def test_error_messages_in_full(data: bytes, message: str) -> None:
    with pytest.raises(AudioFormatError) as caught:
        read_wav(data)
    assert str(caught.value) == message


def test_unusual_but_valid_headers() -> None:
    # a 1 Hz file is valid (rate 0 is not)
    assert read_wav(make_wav(1, 1, 1, 16, b"\x01\x00\x02\x00"))[1:] == (1, 1)
    # an extensible 'fmt ' chunk longer than 40 bytes (trailing bytes after the GUID)
    long_fmt = fmt_chunk(0xFFFE, 1, 8000, 16, extensible=1) + b"\x00\x00"
    samples, rate, _ = read_wav(riff((b"fmt ", long_fmt), (b"data", b"\x05\x00")))
    assert (samples.tolist(), rate) == ([5], 8000)


@pytest.mark.parametrize(
    "fmt", [PCM16_24K, PCM16_16K, PCM16_8K, PCM16_24K_STEREO, G711_ULAW, G711_ALAW]
)
def test_write_then_read_round_trip(fmt: AudioFormat, tmp_path: Path) -> None:
    pcm = (REF * 30000).astype(np.int16)
    if fmt.channels == 2:
        pcm = np.stack([pcm, -pcm], axis=1)
    wire = encode_for_session(pcm, fmt.sample_rate, fmt)
    path = tmp_path / "out.wav"
    write_wav(path, wire, fmt)
    blob = path.read_bytes()
    info = read_wav_info(blob)
    expected_tag = {"pcm16": 1, "g711_ulaw": 7, "g711_alaw": 6}[fmt.encoding]
    assert (info.format_tag, info.sample_rate, info.channels) == (
        expected_tag,
        fmt.sample_rate,
        fmt.channels,
    )
    assert info.bits_per_sample == 8 * fmt.bytes_per_sample
    samples, rate, ch = read_wav(path)
    assert (rate, ch) == (fmt.sample_rate, fmt.channels)
    assert np.array_equal(samples, decode_from_wire(wire, fmt))
    # RIFF size field is the file size minus 8; the file is even-sized
    assert struct.unpack_from("<I", blob, 4)[0] == len(blob) - 8
    assert len(blob) % 2 == 0
    header = 44 if fmt.encoding == "pcm16" else 58  # G.711: cbSize and a 'fact' chunk
    assert len(blob) == header + len(wire) + len(wire) % 2


def test_written_pcm16_is_readable_by_stdlib_wave(tmp_path: Path) -> None:
    wire = encode_for_session((REF * 30000).astype(np.int16), 24000, PCM16_24K)
    buf = io.BytesIO()
    write_wav(buf, wire, PCM16_24K)
    with wave.open(io.BytesIO(buf.getvalue())) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 24000)
        assert w.readframes(w.getnframes()) == wire


def test_stdlib_written_wav_is_readable(tmp_path: Path) -> None:
    path = tmp_path / "std.wav"
    pcm = (REF * 20000).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(48000)
        w.writeframes(np.stack([pcm, pcm // 2], axis=1).tobytes())
    samples, rate, ch = read_wav(path)
    assert (rate, ch) == (48000, 2)
    assert np.array_equal(samples[:, 0], pcm)
    assert np.array_equal(samples[:, 1], pcm // 2)


def test_g711_wav_has_fact_chunk_and_odd_padding() -> None:
    codes = ulaw_encode(np.zeros(101, np.int16))
    blob = wav_bytes(codes, G711_ULAW)
    assert blob[12:16] == b"fmt "
    assert struct.unpack_from("<IHH", blob, 16) == (18, 7, 1)
    assert struct.unpack_from("<H", blob, 36) == (0,)  # cbSize: no extra format bytes
    assert blob[38:42] == b"fact"
    assert struct.unpack_from("<II", blob, 42) == (4, 101)
    assert blob[50:54] == b"data"
    assert len(blob) == 58 + 101 + 1
    assert struct.unpack_from("<I", blob, 4) == (len(blob) - 8,)  # the pad byte counts
    assert read_wav(blob)[0].shape == (101,)


def test_wav_bytes_accepts_arrays_and_checks_lengths() -> None:
    pcm = np.array([1, -2, 3], np.int16)
    assert read_wav(wav_bytes(pcm, PCM16_16K))[0].tolist() == [1, -2, 3]
    with pytest.raises(AudioFormatError, match="even number of bytes"):
        wav_bytes(b"\x00\x00\x00", PCM16_24K)
    with pytest.raises(AudioFormatError, match="multiple of 4 bytes"):
        wav_bytes(b"\x00\x00", PCM16_24K_STEREO)


def test_load_wav_for_session(tmp_path: Path) -> None:
    t = np.arange(48000) / 48000
    x = 0.5 * np.sin(2 * np.pi * 440 * t)
    stereo = np.stack([x, x], axis=1)
    path = tmp_path / "mic.wav"
    path.write_bytes(make_wav(3, 2, 48000, 32, stereo.astype("<f4").tobytes()))
    for fmt in (PCM16_24K, PCM16_16K, G711_ULAW):
        wire = load_wav_for_session(path, fmt)
        assert wire == encode_for_session(x.astype(np.float32), 48000, fmt)
        assert len(wire) == fmt.bytes_per_second  # one second
    assert len(load_wav_for_session(path, PCM16_24K_STEREO)) == 96000
    mono = make_wav(1, 1, 24000, 16, encode_int(REF, 16))
    assert load_wav_for_session(mono, PCM16_24K) == expected_int16(REF, 16).astype("<i2").tobytes()
    with pytest.raises(AudioFormatError, match="needs 2-channel input"):
        load_wav_for_session(mono, PCM16_24K_STEREO)
