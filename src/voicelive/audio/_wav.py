"""WAV files: read any PCM / float / G.711 WAV, write what the service sends.

The RIFF parser is our own: the stdlib :mod:`wave` module reads only integer PCM (and, before
Python 3.12, not ``WAVE_FORMAT_EXTENSIBLE``), while microphones and editors commonly write
24-bit extensible and 32-bit float files.

Read: ``WAVE_FORMAT_PCM`` (tag 1) 8-bit unsigned, 16/24/32-bit signed;
``WAVE_FORMAT_IEEE_FLOAT`` (3) 32/64-bit; ``WAVE_FORMAT_ALAW`` (6) and
``WAVE_FORMAT_MULAW`` (7) 8-bit; and ``WAVE_FORMAT_EXTENSIBLE`` (0xFFFE) wrapping any of
those. Any rate, any number of channels.

Write: PCM16 (tag 1) and G.711 A-law / μ-law (tags 6 / 7, with the ``fact`` chunk that
non-PCM WAV files carry), at the format's rate and channel count.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from typing import IO, Any, Final, TypeAlias

import numpy as np
from numpy.typing import NDArray

from ._convert import BytesLike, as_int16
from ._formats import AudioFormat, AudioFormatError
from ._g711 import alaw_decode, ulaw_decode
from ._wire import encode_for_session, to_wire_audio

__all__ = [
    "WavInfo",
    "WavSource",
    "load_wav_for_session",
    "read_wav",
    "read_wav_info",
    "wav_bytes",
    "write_wav",
]

WavSource: TypeAlias = "str | os.PathLike[str] | BytesLike | IO[bytes]"
"""A WAV file: a path, the file's bytes, or a binary file object."""

WAVE_FORMAT_PCM: Final = 0x0001
WAVE_FORMAT_IEEE_FLOAT: Final = 0x0003
WAVE_FORMAT_ALAW: Final = 0x0006
WAVE_FORMAT_MULAW: Final = 0x0007
WAVE_FORMAT_EXTENSIBLE: Final = 0xFFFE
_TAG_NAMES: Final = {
    WAVE_FORMAT_PCM: "PCM",
    WAVE_FORMAT_IEEE_FLOAT: "IEEE float",
    WAVE_FORMAT_ALAW: "A-law",
    WAVE_FORMAT_MULAW: "mu-law",
    WAVE_FORMAT_EXTENSIBLE: "extensible",
    0x0002: "MS ADPCM",
    0x0011: "IMA ADPCM",
    0x0050: "MPEG",
    0x0055: "MP3",
}
# KSDATAFORMAT_SUBTYPE_* GUIDs are the format tag followed by these 14 bytes.
_GUID_TAIL: Final = b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
_SUPPORTED: Final = {
    (WAVE_FORMAT_PCM, 8),
    (WAVE_FORMAT_PCM, 16),
    (WAVE_FORMAT_PCM, 24),
    (WAVE_FORMAT_PCM, 32),
    (WAVE_FORMAT_IEEE_FLOAT, 32),
    (WAVE_FORMAT_IEEE_FLOAT, 64),
    (WAVE_FORMAT_ALAW, 8),
    (WAVE_FORMAT_MULAW, 8),
}
_SUPPORTED_TEXT: Final = (
    "PCM 8/16/24/32-bit, IEEE float 32/64-bit, A-law/mu-law 8-bit (plain or WAVE_FORMAT_EXTENSIBLE)"
)
_WRITE_TAGS: Final = {
    "pcm16": WAVE_FORMAT_PCM,
    "g711_alaw": WAVE_FORMAT_ALAW,
    "g711_ulaw": WAVE_FORMAT_MULAW,
}


@dataclass(frozen=True)
class WavInfo:
    """What a WAV file's header says.

    Attributes:
        format_tag: the sample format (1 PCM, 3 float, 6 A-law, 7 μ-law); for
            ``WAVE_FORMAT_EXTENSIBLE`` files, the tag of the sub-format.
        extensible: the file uses ``WAVE_FORMAT_EXTENSIBLE``.
        channels: channel count.
        sample_rate: frames per second.
        bits_per_sample: container bits of one sample.
        frames: sample frames in the ``data`` chunk (whole frames only).
    """

    format_tag: int
    extensible: bool
    channels: int
    sample_rate: int
    bits_per_sample: int
    frames: int

    @property
    def duration_s(self) -> float:
        """Length in seconds."""
        return self.frames / self.sample_rate


def _describe(tag: int, bits: int, channels: int, extensible: bool) -> str:
    name = _TAG_NAMES.get(tag, "unknown")
    wrapper = "WAVE_FORMAT_EXTENSIBLE with sub-format " if extensible else ""
    return f"{wrapper}format tag {tag} (0x{tag:04X}, {name}), {bits} bits, {channels} channels"


def _load(source: WavSource) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as f:
            return f.read()
    return source.read()


def _parse(data: bytes) -> tuple[WavInfo, memoryview]:
    if len(data) < 12 or data[8:12] != b"WAVE" or data[:4] not in (b"RIFF", b"RIFX", b"RF64"):
        raise AudioFormatError(f"not a WAV file: expected a RIFF/WAVE header, got {data[:12]!r}")
    if data[:4] != b"RIFF":
        raise AudioFormatError(
            f"unsupported WAV container {data[:4].decode()!r}; only RIFF is read"
        )
    fmt_chunk: bytes | None = None
    body: memoryview | None = None
    view = memoryview(data)
    pos = 12
    while pos + 8 <= len(data) and (fmt_chunk is None or body is None):
        cid, size = struct.unpack_from("<4sI", data, pos)
        start = pos + 8
        if cid == b"fmt ":
            fmt_chunk = data[start : start + size]
        elif cid == b"data":
            body = view[start : min(start + size, len(data))]  # tolerate a truncated file
        pos = start + size + (size & 1)  # chunks are padded to an even size
    if fmt_chunk is None:
        raise AudioFormatError("invalid WAV file: no 'fmt ' chunk")
    if body is None:
        raise AudioFormatError("invalid WAV file: no 'data' chunk")
    if len(fmt_chunk) < 16:
        raise AudioFormatError(f"invalid WAV file: 'fmt ' chunk of {len(fmt_chunk)} bytes")
    tag, channels, rate, _, block_align, bits = struct.unpack_from("<HHIIHH", fmt_chunk)
    extensible = tag == WAVE_FORMAT_EXTENSIBLE
    if extensible:
        if len(fmt_chunk) < 40:
            raise AudioFormatError(
                f"invalid WAV file: WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk of {len(fmt_chunk)} bytes"
            )
        guid = fmt_chunk[24:40]
        if guid[2:] != _GUID_TAIL:
            raise AudioFormatError(
                f"unsupported WAV file: WAVE_FORMAT_EXTENSIBLE sub-format GUID {guid.hex()}, "
                f"{bits} bits, {channels} channels; supported: {_SUPPORTED_TEXT}"
            )
        tag = int.from_bytes(guid[:2], "little")
    if (tag, bits) not in _SUPPORTED or channels < 1:
        raise AudioFormatError(
            f"unsupported WAV file: {_describe(tag, bits, channels, extensible)}; "
            f"supported: {_SUPPORTED_TEXT}"
        )
    if rate < 1:
        raise AudioFormatError(f"invalid WAV file: sample rate {rate}")
    if block_align != bits // 8 * channels:
        raise AudioFormatError(
            f"invalid WAV file: block align {block_align} does not match "
            f"{_describe(tag, bits, channels, extensible)}"
        )
    frames = len(body) // block_align
    info = WavInfo(tag, extensible, channels, rate, bits, frames)
    return info, body[: frames * block_align]


def _decode(info: WavInfo, body: memoryview) -> NDArray[Any]:
    """Samples in the narrowest lossless type: int16 (<= 16-bit, G.711) or float."""
    tag, bits = info.format_tag, info.bits_per_sample
    out: NDArray[Any]
    if tag == WAVE_FORMAT_MULAW:
        out = ulaw_decode(body)
    elif tag == WAVE_FORMAT_ALAW:
        out = alaw_decode(body)
    elif tag == WAVE_FORMAT_IEEE_FLOAT:
        out = np.frombuffer(body, dtype="<f4" if bits == 32 else "<f8").astype(
            np.float32 if bits == 32 else np.float64
        )
    elif bits == 8:
        out = (np.frombuffer(body, dtype=np.uint8).astype(np.int16) - 128) << 8
    elif bits == 16:
        out = np.frombuffer(body, dtype="<i2").astype(np.int16)
    elif bits == 24:
        padded = np.zeros((len(body) // 3, 4), dtype=np.uint8)
        padded[:, 1:] = np.frombuffer(body, dtype=np.uint8).reshape(-1, 3)
        out = (padded.view("<i4").reshape(-1) >> 8).astype(np.float32) / np.float32(1 << 23)
    else:  # 32-bit int
        out = np.frombuffer(body, dtype="<i4").astype(np.float64) / float(1 << 31)
    return out.reshape(-1, info.channels) if info.channels > 1 else out


def read_wav_info(source: WavSource) -> WavInfo:
    """Parse only the header of a WAV file (see :class:`WavInfo`).

    Raises:
        AudioFormatError: not a WAV file, or a sample format that cannot be read.
    """
    return _parse(_load(source))[0]


def read_wav(source: WavSource) -> tuple[NDArray[np.int16], int, int]:
    """Read a WAV file as int16 samples.

    Args:
        source: a path, the file's bytes, or a binary file object.

    Returns:
        ``(samples, sample_rate, channels)``; ``samples`` is 1-D for mono and
        ``(frames, channels)`` otherwise. Wider samples are rounded to 16 bits, float
        samples clipped to [-1, 1] first; 8-bit and G.711 samples are expanded.

    Raises:
        AudioFormatError: not a WAV file, or an unsupported sample format (the message
            names the format tag, bits and channels found).
    """
    info, body = _parse(_load(source))
    return as_int16(_decode(info, body)), info.sample_rate, info.channels


def load_wav_for_session(source: WavSource, fmt: AudioFormat) -> bytes:
    """Read a WAV file and return it as wire bytes in ``fmt``, ready to append.

    Downmixes to mono (when ``fmt`` is mono), resamples to ``fmt.sample_rate`` from the
    full-precision samples, and encodes PCM16 or G.711.

    Raises:
        AudioFormatError: unreadable file, or a mono file for a stereo (echo
            cancellation) format.
    """
    info, body = _parse(_load(source))
    return encode_for_session(_decode(info, body), info.sample_rate, fmt)


def wav_bytes(data: BytesLike | NDArray[Any], fmt: AudioFormat) -> bytes:
    """A complete WAV file holding wire audio ``data`` in format ``fmt``.

    ``data`` is wire bytes (as received in ``response.audio.delta``) or an array that
    :func:`~voicelive.audio.to_wire_audio` can encode to ``fmt``.

    Raises:
        AudioFormatError: ``data`` is not whole sample frames of ``fmt``, or too big for WAV.
    """
    audio = to_wire_audio(data, fmt)
    tag = _WRITE_TAGS[fmt.encoding]
    bits = 8 * fmt.bytes_per_sample
    frames = len(audio) // fmt.block_align
    common = struct.pack(
        "<HHIIHH", tag, fmt.channels, fmt.sample_rate, fmt.bytes_per_second, fmt.block_align, bits
    )
    if tag == WAVE_FORMAT_PCM:
        header = b"fmt " + struct.pack("<I", 16) + common
    else:  # non-PCM: cbSize = 0 and a fact chunk with the frame count
        header = (
            b"fmt "
            + struct.pack("<I", 18)
            + common
            + struct.pack("<H", 0)
            + b"fact"
            + struct.pack("<II", 4, frames)
        )
    pad = b"\x00" if len(audio) & 1 else b""
    riff_size = 4 + len(header) + 8 + len(audio) + len(pad)
    if riff_size > 0xFFFFFFFF:  # pragma: no cover - a test would need 4 GiB of audio
        raise AudioFormatError(f"{len(audio)} bytes of audio do not fit in a WAV file (4 GiB)")
    return b"".join(
        (
            b"RIFF",
            struct.pack("<I", riff_size),
            b"WAVE",
            header,
            b"data",
            struct.pack("<I", len(audio)),
            audio,
            pad,
        )
    )


def write_wav(
    target: str | os.PathLike[str] | IO[bytes], data: BytesLike | NDArray[Any], fmt: AudioFormat
) -> None:
    """Write wire audio ``data`` in ``fmt`` to a WAV file (a path or a binary file object).

    PCM16 is written as ``WAVE_FORMAT_PCM``, G.711 as ``WAVE_FORMAT_MULAW`` (7) /
    ``WAVE_FORMAT_ALAW`` (6), at ``fmt.sample_rate`` with ``fmt.channels`` channels. To
    save a response: ``write_wav("reply.wav", b"".join(deltas), output_format)``.
    """
    blob = wav_bytes(data, fmt)
    if isinstance(target, (str, os.PathLike)):
        with open(target, "wb") as f:
            f.write(blob)
    else:
        target.write(blob)
