"""numpy helpers for every audio format of the Voice Live protocol.

Formats (:class:`AudioFormat`), conversion between PCM16 bytes, int16 and float32 arrays,
bit-exact G.711 μ-law / A-law, streaming resampling, WAV files, framing, real-time pacing
and the helpers the connection uses to put audio on the wire. Only numpy is needed.

See ``docs/audio.md`` for the pitfalls these helpers exist to avoid and for recipes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# Names are imported on first use (PEP 562), so ``import voicelive.aio`` does not pay for numpy:
# the connection needs only the numpy-free ``_formats`` module until audio arrays are used.
_EXPORTS: dict[str, str] = {
    "AudioFormat": "._formats",
    "AudioFormatError": "._formats",
    "BytesLike": "._convert",
    "Encoding": "._formats",
    "G711_ALAW": "._formats",
    "G711_ULAW": "._formats",
    "PCM16_16K": "._formats",
    "PCM16_24K": "._formats",
    "PCM16_24K_STEREO": "._formats",
    "PCM16_8K": "._formats",
    "StreamingResampler": "._resample",
    "WavInfo": "._wav",
    "WavSource": "._wav",
    "WireEncoder": "._wire",
    "alaw_decode": "._g711",
    "alaw_encode": "._g711",
    "array_to_pcm16": "._convert",
    "as_int16": "._convert",
    "decode_from_wire": "._wire",
    "encode_for_session": "._wire",
    "float32_to_int16": "._convert",
    "frames": "._framing",
    "input_format_of": "._formats",
    "int16_to_float32": "._convert",
    "interleave": "._convert",
    "load_wav_for_session": "._wav",
    "output_format_of": "._formats",
    "paced_frames": "._framing",
    "pcm16_to_array": "._convert",
    "read_wav": "._wav",
    "read_wav_info": "._wav",
    "resample": "._resample",
    "silence": "._framing",
    "to_mono": "._convert",
    "to_wire_audio": "._wire",
    "ulaw_decode": "._g711",
    "ulaw_encode": "._g711",
    "wav_bytes": "._wav",
    "write_wav": "._wav",
}

if TYPE_CHECKING:
    from ._convert import (
        BytesLike,
        array_to_pcm16,
        as_int16,
        float32_to_int16,
        int16_to_float32,
        interleave,
        pcm16_to_array,
        to_mono,
    )
    from ._formats import (
        G711_ALAW,
        G711_ULAW,
        PCM16_8K,
        PCM16_16K,
        PCM16_24K,
        PCM16_24K_STEREO,
        AudioFormat,
        AudioFormatError,
        Encoding,
        input_format_of,
        output_format_of,
    )
    from ._framing import frames, paced_frames, silence
    from ._g711 import alaw_decode, alaw_encode, ulaw_decode, ulaw_encode
    from ._resample import StreamingResampler, resample
    from ._wav import (
        WavInfo,
        WavSource,
        load_wav_for_session,
        read_wav,
        read_wav_info,
        wav_bytes,
        write_wav,
    )
    from ._wire import WireEncoder, decode_from_wire, encode_for_session, to_wire_audio


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "G711_ALAW",
    "G711_ULAW",
    "PCM16_8K",
    "PCM16_16K",
    "PCM16_24K",
    "PCM16_24K_STEREO",
    "AudioFormat",
    "AudioFormatError",
    "BytesLike",
    "Encoding",
    "StreamingResampler",
    "WavInfo",
    "WavSource",
    "WireEncoder",
    "alaw_decode",
    "alaw_encode",
    "array_to_pcm16",
    "as_int16",
    "decode_from_wire",
    "encode_for_session",
    "float32_to_int16",
    "frames",
    "input_format_of",
    "int16_to_float32",
    "interleave",
    "load_wav_for_session",
    "output_format_of",
    "paced_frames",
    "pcm16_to_array",
    "read_wav",
    "read_wav_info",
    "resample",
    "silence",
    "to_mono",
    "to_wire_audio",
    "ulaw_decode",
    "ulaw_encode",
    "wav_bytes",
    "write_wav",
]
