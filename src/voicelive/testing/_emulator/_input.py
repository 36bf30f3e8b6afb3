"""Input: the audio buffer with server VAD, explicit commits, client-defined turns and streamed
input text.

Audio is kept on a timeline of samples since the first append; the VAD
(:class:`~voicelive.testing.EnergyVad`) reports speech start/stop positions on that timeline,
which become ``audio_start_ms``/``audio_end_ms``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ...audio import AudioFormat, decode_from_wire
from .._speech import EnergyVad, VadEvent, _words
from ._base import MIN_COMMIT_MS, EmulatorState, Refused, copy_item

__all__ = ["InputPart"]


class InputPart(EmulatorState):
    """``input_audio_buffer.*``, ``input_audio.*`` and ``input_text.*`` client events."""

    def _configure_vad(self) -> None:
        td = self.session.get("turn_detection")
        self._vad_item = None
        if not isinstance(td, Mapping):
            self._vad = None
            return
        semantic = td.get("type") != "server_vad"
        speech_ms = td.get("speech_duration_ms")
        if speech_ms is None:
            speech_ms = 80 if semantic else 200
        vad = EnergyVad(
            self._in_fmt.sample_rate,
            threshold=float(td.get("threshold", 0.5) or 0.0),
            silence_duration_ms=int(td.get("silence_duration_ms") or 500),
            speech_duration_ms=int(speech_ms),
        )
        vad.reset(self._timeline)
        self._vad = vad

    def _reset_buffer(self) -> None:
        self._buf = bytearray()
        self._buf_start = self._timeline
        self._partial = b""
        self._vad_item = None
        if self._vad is not None:
            self._vad.reset(self._timeline)

    def _ms(self, samples: int) -> int:
        return samples * 1000 // self._in_fmt.sample_rate

    def _on_append(self, event: Any) -> None:
        data = self._decode_audio(event.audio, "audio")
        if self._partial:
            data = self._partial + data
        block = self._in_fmt.block_align
        usable = len(data) - len(data) % block
        self._partial = data[usable:]
        if not usable:
            return
        chunk = data[:usable] if usable != len(data) else data
        self._buf += chunk
        self._timeline += usable // block
        vad = self._vad
        if vad is None:
            return
        samples = decode_from_wire(chunk, self._in_fmt)
        if samples.ndim > 1:
            samples = np.ascontiguousarray(samples[:, 0])
        for detection in vad.process(samples):
            self._on_vad(detection)
        self._check_idle()

    def _check_idle(self) -> None:
        """``input_audio_buffer.timeout_triggered`` after ``idle_timeout_ms`` of audio with no
        speech and no response (``turn_detection.idle_timeout_ms``, as in the OpenAI realtime
        protocol Voice Live derives from): the silent audio is committed and a response made."""
        td = self.session.get("turn_detection")
        idle_ms = td.get("idle_timeout_ms") if isinstance(td, Mapping) else None
        if not idle_ms or self._vad_item is not None or self._active is not None:
            return
        start = max(self._idle_from, self._buf_start)
        if self._ms(self._timeline - start) < int(idle_ms):
            return
        item_id = self._ids.next("item")
        self._emit(
            "input_audio_buffer.timeout_triggered",
            audio_start_ms=self._ms(start),
            audio_end_ms=self._ms(self._timeline),
            item_id=item_id,
        )
        self._idle_from = self._timeline
        if self._vad is not None:
            self._vad.reset(self._timeline)
        self._commit(item_id, self._buf_start, self._timeline)
        if td.get("create_response", True) if isinstance(td, Mapping) else True:
            self._start_response(None, None, None)

    def _on_vad(self, detection: VadEvent) -> None:
        td = self.session.get("turn_detection") or {}
        if detection.kind == "start":
            prefix = int(td.get("prefix_padding_ms") or 0) * self._in_fmt.sample_rate // 1000
            self._vad_start = max(self._buf_start, detection.position - prefix)
            self._vad_item = self._ids.next("item")
            self._emit(
                "input_audio_buffer.speech_started",
                audio_start_ms=self._ms(self._vad_start),
                item_id=self._vad_item,
            )
            if self._active is not None and td.get("interrupt_response", True):
                cut = self._playing_item()
                self._cancel("turn_detected")
                if cut is not None and td.get("auto_truncate"):
                    self._truncate_at_sent(cut)
            return
        item_id = self._vad_item or self._ids.next("item")
        self._vad_item = None
        end = min(detection.position, self._timeline)
        self._emit("input_audio_buffer.speech_stopped", audio_end_ms=self._ms(end), item_id=item_id)
        self._commit(item_id, self._vad_start, end)
        self._idle_from = self._timeline
        if td.get("create_response", True) and self._active is None:
            self._start_response(None, None, None)

    def _commit(self, item_id: str, start: int, end: int) -> None:
        """Commit buffer samples [start, end) as a user audio item (and transcribe it)."""
        block = self._in_fmt.block_align
        lo = max(0, start - self._buf_start) * block
        hi = max(0, end - self._buf_start) * block
        audio = bytes(self._buf[lo:hi])
        del self._buf[:hi]
        self._buf_start = max(self._buf_start, end)
        previous = self._last_item_id()
        self._emit("input_audio_buffer.committed", previous_item_id=previous, item_id=item_id)
        self._add_user_audio_item(item_id, audio, self._in_fmt, previous)

    def _add_user_audio_item(
        self, item_id: str, audio: bytes, fmt: AudioFormat, previous: str | None
    ) -> None:
        item: dict[str, Any] = {
            "id": item_id,
            "object": "realtime.item",
            "type": "message",
            "status": "completed",
            "role": "user",
            "content": [{"type": "input_audio", "transcript": None}],
        }
        self._insert_item(item)
        self._audio[item_id] = bytearray(audio)
        self._audio_fmt[item_id] = fmt
        self._emit("conversation.item.created", previous_item_id=previous, item=copy_item(item))
        try:
            transcript = self._transcribe(audio, fmt)
        except Exception as exc:  # the transcriber's failure is the service's failure
            self._transcripts[item_id] = ""
            if self.session.get("input_audio_transcription"):
                self._emit(
                    "conversation.item.input_audio_transcription.failed",
                    item_id=item_id,
                    content_index=0,
                    error={
                        "type": "transcription_error",
                        "code": "transcription_failed",
                        "message": str(exc) or type(exc).__name__,
                        "param": None,
                    },
                )
            return
        self._transcripts[item_id] = transcript
        if self.session.get("input_audio_transcription"):
            for _, token in _words(transcript):
                self._emit(
                    "conversation.item.input_audio_transcription.delta",
                    item_id=item_id,
                    content_index=0,
                    delta=token,
                )
            self._emit(
                "conversation.item.input_audio_transcription.completed",
                item_id=item_id,
                content_index=0,
                transcript=transcript,
            )
            item["content"][0]["transcript"] = transcript

    def _transcribe(self, audio: bytes, fmt: AudioFormat) -> str:
        usable = len(audio) - len(audio) % fmt.block_align
        samples: NDArray[np.int16] = decode_from_wire(audio[:usable], fmt)
        if samples.ndim > 1:
            samples = np.ascontiguousarray(samples[:, 0])
        return str(self.transcriber(samples, fmt.sample_rate))

    def _check_commit_size(self, samples: int) -> None:
        ms = samples * 1000.0 / self._in_fmt.sample_rate
        if ms < MIN_COMMIT_MS:
            raise Refused(
                "input_audio_buffer_commit_empty",
                "Error committing input audio buffer: buffer too small. Expected at least "
                f"{MIN_COMMIT_MS}ms of audio, but buffer only has {ms:.2f}ms of audio.",
            )

    def _on_commit(self, event: Any) -> None:
        self._check_commit_size(self._timeline - self._buf_start)
        item_id = self._vad_item or self._ids.next("item")
        self._vad_item = None
        if self._vad is not None:
            self._vad.reset(self._timeline)
        self._commit(item_id, self._buf_start, self._timeline)

    def _on_clear(self, event: Any) -> None:
        self._reset_buffer()
        self._emit("input_audio_buffer.cleared")

    def _on_turn_start(self, event: Any) -> None:
        if event.turn_id in self._turns:
            raise Refused("invalid_value", f"Turn '{event.turn_id}' is already started.", "turn_id")
        self._turns[event.turn_id] = bytearray()

    def _turn(self, turn_id: str) -> bytearray:
        turn = self._turns.get(turn_id)
        if turn is None:
            raise Refused(
                "invalid_value",
                f"Unknown turn_id '{turn_id}' (send input_audio.turn.start first).",
                "turn_id",
            )
        return turn

    def _on_turn_append(self, event: Any) -> None:
        self._turn(event.turn_id).extend(self._decode_audio(event.audio, "audio"))

    def _on_turn_end(self, event: Any) -> None:
        audio = bytes(self._turn(event.turn_id))
        fmt = self._in_fmt
        self._check_commit_size(len(audio) // fmt.block_align)
        del self._turns[event.turn_id]
        item_id = self._ids.next("item")
        previous = self._last_item_id()
        self._emit("input_audio_buffer.committed", previous_item_id=previous, item_id=item_id)
        self._add_user_audio_item(item_id, audio, fmt, previous)
        td = self.session.get("turn_detection")
        wants = td.get("create_response", True) if isinstance(td, Mapping) else True
        if wants and self._active is None:
            self._start_response(None, None, None)

    def _on_turn_cancel(self, event: Any) -> None:
        self._turn(event.turn_id)
        del self._turns[event.turn_id]

    def _on_input_audio_clear(self, event: Any) -> None:
        self._turns.clear()
        self._reset_buffer()
        self._emit("input_audio_buffer.cleared")

    def _on_output_audio_clear(self, event: Any) -> None:
        td = self.session.get("turn_detection")
        cut = self._playing_item()
        if cut is None or not isinstance(td, Mapping) or not td.get("auto_truncate"):
            self._emit("output_audio_buffer.cleared")
            return
        active = self._active
        index = active.output.index(cut) if active is not None else 0
        self._cancel("client_cancelled")
        self._truncate_at_sent(cut)
        self._emit("output_audio_buffer.cleared", item_id=cut["id"], output_index=index)

    # ------------------------------------------------------------------ streamed input text

    def _text_part(self, item_id: str, content_index: int | None) -> dict[str, Any]:
        item = self._find(item_id, "id")
        if item.get("type") != "message" or item.get("role") != "user":
            raise Refused("invalid_value", f"Item '{item_id}' is not a user message.", "id")
        content: list[dict[str, Any]] = item["content"]
        index = content_index or 0
        if index == len(content):
            content.append({"type": "input_text", "text": ""})
        if index > len(content) or content[index].get("type") != "input_text":
            raise Refused(
                "invalid_value",
                f"Item '{item_id}' has no input_text part at content_index {index}.",
                "content_index",
            )
        return content[index]

    def _on_input_text_delta(self, event: Any) -> None:
        part = self._text_part(event.id, event.content_index)
        part["text"] = (part.get("text") or "") + event.delta

    def _on_input_text_done(self, event: Any) -> None:
        self._text_part(event.id, event.content_index)
