"""Wire audio formats of the Voice Live protocol and the session fields that select them.

The protocol names formats with strings, split over several session fields:

=========================  =========================================  =======================
session field(s)           value                                      wire audio
=========================  =========================================  =======================
``input_audio_format``     ``pcm16`` (+ ``input_audio_sampling_rate``  PCM16 LE, 24 kHz
                           8000 / 16000 / 24000)                      (or 8 / 16 kHz)
                           ``pcm16`` + echo cancellation              interleaved stereo
                           ``channels: 2``                            PCM16 (mic, reference)
                           ``g711_ulaw`` / ``g711_alaw``              8-bit G.711, 8 kHz
``output_audio_format``    ``pcm16``                                  PCM16 LE, 24 kHz
                           ``pcm16_8000hz`` / ``pcm16_16000hz``       PCM16 LE, 8 / 16 kHz
                           ``g711_ulaw`` / ``g711_alaw``              8-bit G.711, 8 kHz
=========================  =========================================  =======================

:class:`AudioFormat` turns those strings into numbers (bytes per sample, sample rate,
channels) so that nothing else has to know them.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, cast

from ..exceptions import VoiceLiveError

__all__ = [
    "G711_ALAW",
    "G711_ULAW",
    "PCM16_8K",
    "PCM16_16K",
    "PCM16_24K",
    "PCM16_24K_STEREO",
    "AudioFormat",
    "AudioFormatError",
    "Encoding",
    "input_format_of",
    "output_format_of",
]

Encoding = Literal["pcm16", "g711_ulaw", "g711_alaw"]
"""The three sample encodings the protocol uses on the wire."""

_ENCODINGS: Final[tuple[str, ...]] = ("pcm16", "g711_ulaw", "g711_alaw")
_BYTES_PER_SAMPLE: Final[Mapping[str, int]] = {"pcm16": 2, "g711_ulaw": 1, "g711_alaw": 1}

_INPUT_FORMATS: Final[tuple[str, ...]] = ("pcm16", "g711_ulaw", "g711_alaw")
_PCM16_INPUT_RATES: Final[tuple[int, ...]] = (8000, 16000, 24000)
_OUTPUT_FORMATS: Final[Mapping[str, tuple[Encoding, int]]] = {
    "pcm16": ("pcm16", 24000),
    "pcm16_8000hz": ("pcm16", 8000),
    "pcm16_16000hz": ("pcm16", 16000),
    "g711_ulaw": ("g711_ulaw", 8000),
    "g711_alaw": ("g711_alaw", 8000),
}
_LEGACY_OUTPUT: Final[Mapping[str, str]] = {
    "pcm16-8000hz": "pcm16_8000hz",
    "pcm16-16000hz": "pcm16_16000hz",
}


class AudioFormatError(VoiceLiveError, ValueError):
    """Audio does not fit the format it is meant for, or a format is unknown or unsupported.

    A :class:`ValueError` (and a :class:`~voicelive.exceptions.VoiceLiveError`); the message
    names the offending value and what would have been accepted.
    """


def _plain(value: object) -> str:
    """The wire string of a plain string or a str-enum member (``InputAudioFormat.PCM16``)."""
    if isinstance(value, enum.Enum):
        value = value.value
    if not isinstance(value, str):
        raise AudioFormatError(f"audio format must be a string, got {type(value).__name__}")
    return value.strip().lower()


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(repr(n) for n in names)


@dataclass(frozen=True)
class AudioFormat:
    """One wire audio format: sample encoding, sample rate and channel count.

    Instances are immutable and hashable. Use the constants (:data:`PCM16_24K`, ...) or
    build one from session fields with :meth:`from_input_session` /
    :meth:`from_output_session`.

    Attributes:
        encoding: ``"pcm16"`` (16-bit signed little-endian), ``"g711_ulaw"`` or ``"g711_alaw"``
            (8-bit G.711 codes).
        sample_rate: samples per second per channel.
        channels: 1, or 2 for interleaved stereo (echo cancellation with a client reference).
    """

    encoding: Encoding
    sample_rate: int
    channels: int = 1

    def __post_init__(self) -> None:
        if self.encoding not in _ENCODINGS:
            raise AudioFormatError(
                f"unknown audio encoding {self.encoding!r}; supported: {_quoted(_ENCODINGS)}"
            )
        if isinstance(self.sample_rate, bool) or not isinstance(self.sample_rate, int):
            raise AudioFormatError(f"sample_rate must be an int, got {self.sample_rate!r}")
        if self.sample_rate <= 0:
            raise AudioFormatError(f"sample_rate must be positive, got {self.sample_rate}")
        if isinstance(self.channels, bool) or not isinstance(self.channels, int):
            raise AudioFormatError(f"channels must be an int, got {self.channels!r}")
        if self.channels < 1:
            raise AudioFormatError(f"channels must be at least 1, got {self.channels}")

    @property
    def bytes_per_sample(self) -> int:
        """Bytes of one sample of one channel: 2 for PCM16, 1 for G.711."""
        return _BYTES_PER_SAMPLE[self.encoding]

    @property
    def block_align(self) -> int:
        """Bytes of one sample frame across all channels (``bytes_per_sample * channels``).

        Every valid chunk of wire audio is a whole multiple of this.
        """
        return _BYTES_PER_SAMPLE[self.encoding] * self.channels

    @property
    def bytes_per_second(self) -> int:
        """Bytes of one second of audio in this format."""
        return self.block_align * self.sample_rate

    @property
    def is_g711(self) -> bool:
        """True for the 8-bit G.711 encodings."""
        return self.encoding != "pcm16"

    def bytes_to_ms(self, n: int) -> float:
        """Milliseconds of audio held by ``n`` bytes (whole sample frames only).

        A trailing partial sample frame does not count, so
        ``fmt.bytes_to_ms(fmt.ms_to_bytes(ms)) <= ms`` always holds.
        """
        if n < 0:
            raise ValueError(f"byte count must not be negative, got {n}")
        return (n // self.block_align) * 1000.0 / self.sample_rate

    def ms_to_bytes(self, ms: float) -> int:
        """Bytes of ``ms`` milliseconds of audio, rounded down to a whole sample frame.

        The result is always a multiple of :attr:`block_align`, so it never cuts a sample.
        """
        return self.ms_to_samples(ms) * self.block_align

    def ms_to_samples(self, ms: float) -> int:
        """Sample frames in ``ms`` milliseconds, rounded down (float noise is forgiven)."""
        if ms < 0 or math.isnan(ms):
            raise ValueError(f"duration must not be negative, got {ms} ms")
        if isinstance(ms, int):
            return ms * self.sample_rate // 1000
        exact = ms * self.sample_rate / 1000.0
        nearest = round(exact)
        # 13 samples at 11025 Hz are 1.1791383219954648 ms, and that many ms back in samples
        # is 12.999999999999998 in binary floating point: that means 13.
        if abs(exact - nearest) <= 1e-9 * max(1.0, exact):
            return int(nearest)
        return math.floor(exact)

    def samples_to_ms(self, samples: int) -> float:
        """Milliseconds of ``samples`` sample frames."""
        return samples * 1000.0 / self.sample_rate

    @classmethod
    def from_input_session(
        cls,
        input_audio_format: object = None,
        input_audio_sampling_rate: int | None = None,
        channels: int | None = None,
    ) -> AudioFormat:
        """The format the server expects in ``input_audio_buffer.append``.

        Args:
            input_audio_format: the session's ``input_audio_format`` (a string or an
                ``InputAudioFormat`` member); ``None`` means the default, ``pcm16``.
            input_audio_sampling_rate: the session's ``input_audio_sampling_rate``; ``None``
                means 24000 for PCM16. PCM16 allows 8000, 16000 and 24000; it is ignored for
                G.711, which is always 8000 Hz.
            channels: ``input_audio_echo_cancellation.channels``; 2 means interleaved stereo
                PCM16 (microphone, echo reference). ``None`` means 1.

        Raises:
            AudioFormatError: unknown format, or a rate/channel count the format cannot have.
        """
        name = "pcm16" if input_audio_format is None else _plain(input_audio_format)
        if name not in _INPUT_FORMATS:
            raise AudioFormatError(
                f"unknown input_audio_format {name!r}; supported: {_quoted(_INPUT_FORMATS)}"
            )
        encoding = cast("Encoding", name)
        n_channels = 1 if channels is None else channels
        if n_channels not in (1, 2):
            raise AudioFormatError(f"echo cancellation channels must be 1 or 2, got {channels!r}")
        if encoding == "pcm16":
            rate = 24000 if input_audio_sampling_rate is None else input_audio_sampling_rate
            if rate not in _PCM16_INPUT_RATES:
                raise AudioFormatError(
                    f"input_audio_sampling_rate {rate!r} is not supported for pcm16; "
                    f"supported: {', '.join(map(str, _PCM16_INPUT_RATES))}"
                )
            return cls("pcm16", rate, n_channels)
        # G.711 is always 8000 Hz: the sampling-rate field is ignored for it (a session that
        # switches from pcm16 to G.711 keeps its old input_audio_sampling_rate, e.g. 24000).
        if n_channels != 1:
            raise AudioFormatError(
                f"stereo input (echo cancellation channels=2) requires pcm16, not {encoding}"
            )
        return cls(encoding, 8000, 1)

    @classmethod
    def from_output_session(cls, output_audio_format: object = None) -> AudioFormat:
        """The format of ``response.audio.delta`` audio for a session's ``output_audio_format``.

        Accepts plain strings, ``OutputAudioFormat`` members and the legacy spellings
        ``pcm16-8000hz`` / ``pcm16-16000hz``; ``None`` means the default, ``pcm16`` (24 kHz).

        Raises:
            AudioFormatError: unknown format.
        """
        name = "pcm16" if output_audio_format is None else _plain(output_audio_format)
        name = _LEGACY_OUTPUT.get(name, name)
        try:
            encoding, rate = _OUTPUT_FORMATS[name]
        except KeyError:
            raise AudioFormatError(
                f"unknown output_audio_format {name!r}; supported: {_quoted(_OUTPUT_FORMATS)}"
            ) from None
        return cls(encoding, rate, 1)

    def __str__(self) -> str:
        layout = "mono" if self.channels == 1 else f"{self.channels}ch"
        return f"{self.encoding} {self.sample_rate} Hz {layout}"


PCM16_24K: Final = AudioFormat("pcm16", 24000)
"""PCM16 at 24 kHz mono: the default input and output format."""
PCM16_24K_STEREO: Final = AudioFormat("pcm16", 24000, 2)
"""Interleaved stereo PCM16 at 24 kHz (microphone, echo reference) for client echo cancellation."""
PCM16_16K: Final = AudioFormat("pcm16", 16000)
"""PCM16 at 16 kHz mono (``input_audio_sampling_rate=16000``, ``pcm16_16000hz`` output)."""
PCM16_8K: Final = AudioFormat("pcm16", 8000)
"""PCM16 at 8 kHz mono (``input_audio_sampling_rate=8000``, ``pcm16_8000hz`` output)."""
G711_ULAW: Final = AudioFormat("g711_ulaw", 8000)
"""G.711 μ-law at 8 kHz (North American / Japanese telephony)."""
G711_ALAW: Final = AudioFormat("g711_alaw", 8000)
"""G.711 A-law at 8 kHz (European telephony)."""


def _check_length(n: int, fmt: AudioFormat) -> None:
    if n % fmt.block_align:
        what = (
            "PCM16 audio must have an even number of bytes (2 per sample)"
            if fmt.encoding == "pcm16" and fmt.channels == 1
            else f"{fmt} audio must be a multiple of {fmt.block_align} bytes (whole sample frames)"
        )
        raise AudioFormatError(f"{what}, got {n} bytes")


def _field(session: object, name: str) -> Any:
    # Models are mappings too (wire-form values); read them by attribute.
    if isinstance(session, Mapping) and not hasattr(session, "model_fields_set"):
        return session.get(name)
    return getattr(session, name, None)


def input_format_of(session: object) -> AudioFormat:
    """The input wire format of a session (a model such as ``ResponseSession`` or a dict).

    Reads ``input_audio_format``, ``input_audio_sampling_rate`` and
    ``input_audio_echo_cancellation.channels``; missing fields take the protocol defaults.
    """
    echo = _field(session, "input_audio_echo_cancellation")
    return AudioFormat.from_input_session(
        _field(session, "input_audio_format"),
        _field(session, "input_audio_sampling_rate"),
        None if echo is None else _field(echo, "channels"),
    )


def output_format_of(session: object) -> AudioFormat:
    """The output wire format of a session (a model or a dict): its ``output_audio_format``."""
    return AudioFormat.from_output_session(_field(session, "output_audio_format"))
