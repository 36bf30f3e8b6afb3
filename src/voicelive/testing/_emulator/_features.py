"""Optional service features: avatar and WebRTC negotiation, animation, video, interim responses,
agent mode.

No media flows: the emulator answers the signalling with syntactically valid SDP and sends
animation/video *events* with deterministic stand-in payloads. Facts follow the public
references:

* Voice Live API reference
  (https://learn.microsoft.com/azure/ai-services/speech-service/voice-live-api-reference-2026-07-15):
  ``session.avatar.connect`` (``client_sdp``) is answered by ``session.avatar.connecting``
  (``server_sdp``); animation is enabled by the ``animation`` modality with ``animation.outputs``
  (``blendshapes`` default, ``viseme_id``); ``response.animation_viseme.delta`` carries
  ``audio_offset_ms`` and ``viseme_id``, ``response.animation_blendshapes.delta`` carries
  ``frames`` and ``frame_index``; ``response.video.delta`` (``codec``, base64 ``delta``) is the
  avatar video when ``avatar.output_protocol`` is ``websocket``.
* "How to use the Voice Live API"
  (https://learn.microsoft.com/azure/ai-services/speech-service/voice-live-how-to): when an
  avatar is configured without ``ice_servers``, the service returns its own in
  ``session.updated``.
* Interim responses
  (https://learn.microsoft.com/azure/ai-services/speech-service/how-to-voice-live-interim-response):
  ``interim_response`` (``static_interim_response`` with ``texts`` or ``llm_interim_response``)
  with ``triggers`` ``latency`` and/or ``tool``. The emulator streams the interim text as a
  first assistant message of the response when the trigger is ``tool`` and the reply calls a
  tool (it has no latency to measure; a scripted ``interim`` forces one).

The SDP the client offers may be raw SDP text, base64 of it, or base64 of the browser's JSON
``{"type": "offer", "sdp": ...}`` (what the official samples send); the answer uses the same
encoding.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from .._speech import WordTiming
from ._base import EmulatorState, Refused
from ._base import ResponseState as _Resp

__all__ = ["EMULATED_ICE_SERVERS", "FeaturesPart", "agent_config", "sdp_answer"]

EMULATED_ICE_SERVERS: list[dict[str, Any]] = [
    {
        "urls": ["turn:relay.voicelive-emulator.invalid:3478?transport=udp"],
        "username": "emulator",
        "credential": "emulator",
    }
]
"""The ICE servers reported for an avatar without ``ice_servers`` (a name that never resolves)."""

BLENDSHAPE_COUNT = 52
"""Weights per blendshape frame (the ARKit set)."""

ANIMATION_FPS = 30
"""Blendshape frames per second of audio."""

_INTERIM_STAND_IN = "One moment, please."


def agent_config(agent: Mapping[str, str | None], conversation_id: str) -> dict[str, Any]:
    """The session's ``agent`` object in agent mode."""
    name = str(agent.get("name") or "agent")
    project = str(agent.get("project_name") or "project")
    return {
        "type": "agent",
        "name": name,
        "description": f"(emulated) agent '{name}' of project '{project}'",
        "agent_id": f"asst_{hashlib.sha256(f'{project}/{name}'.encode()).hexdigest()[:12]}",
        "thread_id": agent.get("conversation_id") or f"thread_{conversation_id}",
    }


def _decode_offer(offer: str) -> tuple[str, str]:
    """(sdp text, encoding) with encoding ``raw``, ``base64`` or ``base64-json``."""
    text = offer.strip()
    if text.startswith("v="):
        return text, "raw"
    try:
        decoded = base64.b64decode(text, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise ValueError("the SDP offer is neither SDP text nor base64") from None
    if decoded.lstrip().startswith("{"):
        try:
            data = json.loads(decoded)
        except ValueError:
            raise ValueError("the SDP offer is base64 of invalid JSON") from None
        sdp = data.get("sdp") if isinstance(data, dict) else None
        if not isinstance(sdp, str):
            raise ValueError("the SDP offer JSON has no 'sdp' text")
        return sdp, "base64-json"
    return decoded, "base64"


_DIRECTIONS = {"sendrecv": "sendrecv", "sendonly": "recvonly", "recvonly": "sendonly"}


def sdp_answer(offer: str, session_id: str = "1") -> str:
    """A syntactically valid SDP answer to ``offer`` (same encoding as the offer).

    Every ``m=`` section of the offer is accepted with its first payload type (its
    ``a=rtpmap``/``a=fmtp`` lines kept), the offer's ``a=mid`` values are bundled, and the
    direction is mirrored. Raises ``ValueError`` when the offer is not SDP.
    """
    sdp, encoding = _decode_offer(offer)
    lines = [line.strip() for line in sdp.replace("\r\n", "\n").split("\n") if line.strip()]
    if not lines or lines[0] != "v=0":
        raise ValueError("an SDP offer starts with 'v=0'")
    sections: list[list[str]] = []
    for line in lines:
        if line.startswith("m="):
            sections.append([line])
        elif sections:
            sections[-1].append(line)
    if not sections:
        raise ValueError("the SDP offer has no media ('m=') section")
    fingerprint = ":".join(f"{b:02X}" for b in hashlib.sha256(sdp.encode()).digest())
    mids: list[str] = []
    media: list[str] = []
    for index, section in enumerate(sections):
        parts = section[0][2:].split()
        if len(parts) < 4:
            raise ValueError(f"malformed media line {section[0]!r}")
        kind, proto, payload = parts[0], parts[2], parts[3]
        mid = next((a[6:] for a in section if a.startswith("a=mid:")), str(index))
        mids.append(mid)
        direction = next((_DIRECTIONS[a[2:]] for a in section if a[2:] in _DIRECTIONS), "sendrecv")
        media += [
            f"m={kind} 9 {proto} {payload}",
            "c=IN IP4 0.0.0.0",
            "a=rtcp:9 IN IP4 0.0.0.0",
            "a=ice-ufrag:vlem",
            "a=ice-pwd:voicelive-emulator-ice-pwd0",
            f"a=fingerprint:sha-256 {fingerprint}",
            "a=setup:active",
            f"a=mid:{mid}",
            f"a={direction}",
            "a=rtcp-mux",
        ]
        media += [
            a
            for a in section
            if a.startswith((f"a=rtpmap:{payload} ", f"a=fmtp:{payload} ", "a=sctp-port:"))
        ]
    answer = [
        "v=0",
        f"o=- {int(hashlib.sha256(session_id.encode()).hexdigest()[:12], 16)} 2 IN IP4 127.0.0.1",
        "s=-",
        "t=0 0",
        f"a=group:BUNDLE {' '.join(mids)}",
        "a=msid-semantic: WMS",
        *media,
    ]
    text = "\r\n".join(answer) + "\r\n"
    if encoding == "raw":
        return text
    if encoding == "base64":
        return base64.b64encode(text.encode()).decode("ascii")
    wrapped = json.dumps({"type": "answer", "sdp": text})
    return base64.b64encode(wrapped.encode()).decode("ascii")


_SIP_STATES = {
    "incoming": "WaitingForCustomer",
    "connected": "Connected",
    "disconnected": "Disconnected",
    "failed": "Failed",
    "transfer.succeeded": "succeeded",
    "transfer.failed": "failed",
}


def _viseme_id(word: str) -> int:
    """A deterministic stand-in viseme (0-21, the Azure viseme id range) for a word."""
    letters = [c for c in word.lower() if c.isalpha()]
    return (ord(letters[0]) - ord("a")) % 22 if letters else 0


class FeaturesPart(EmulatorState):
    """Avatar/WebRTC signalling, animation and video events, interim responses."""

    # -- avatar and WebRTC -----------------------------------------------------------------

    def _on_avatar_connect(self, event: Any) -> None:
        try:
            answer = sdp_answer(event.client_sdp, str(self.session.get("id")))
        except ValueError as exc:
            raise Refused("invalid_value", f"Invalid client_sdp: {exc}.", "client_sdp") from None
        self._emit("session.avatar.connecting", server_sdp=answer)

    def _on_rtc_sdp_create(self, event: Any) -> None:
        call_id = self._ids.next("rtc")
        try:
            answer = sdp_answer(event.sdp_offer, call_id)
        except ValueError as exc:
            self._emit(
                "rtc.call.error",
                operation="sdp.create",
                rtc_call_id=call_id,
                error={
                    "type": "invalid_request_error",
                    "code": "invalid_sdp",
                    "message": f"Invalid sdp_offer: {exc}.",
                },
            )
            return
        self._emit("rtc.call.sdp.created", rtc_call_id=call_id, sdp_answer=answer)

    def _with_ice_servers(self, session: dict[str, Any]) -> None:
        """Fill ``avatar.ice_servers`` when an avatar is configured without them."""
        avatar = session.get("avatar")
        if isinstance(avatar, dict) and not avatar.get("ice_servers"):
            avatar["ice_servers"] = [dict(server) for server in EMULATED_ICE_SERVERS]

    # -- SIP calls (on request) -------------------------------------------------------------

    def realtime_call_events(
        self, *kinds: str, call_id: str | None = None, **fields: Any
    ) -> list[dict[str, Any]]:
        """SIP ``realtime.call.*`` events, for a test to send (nothing triggers them on a
        WebSocket session): ``kinds`` among ``incoming``, ``connected``, ``disconnected``,
        ``failed``, ``transfer.succeeded``, ``transfer.failed``.

        Each gets the same ``call_id`` (default ``sipcall_0001``-style) and ``chain_id``, the
        ``state`` the kind implies (``WaitingForCustomer``, ``Connected``, ...; transfers:
        ``succeeded``/``failed`` with a ``transfer_id``) and a ``terminal_reason`` for the
        terminal ones (``CustomerHangup``, ``SetupFailure``) unless ``fields`` give others.
        Field names follow the 2026-07-31-preview reference as modeled by
        :mod:`voicelive.models`. Send them with
        :meth:`MockServerConnection.send <voicelive.testing.MockServerConnection.send>`.
        """
        call = call_id or self._ids.next("sipcall")
        chain = f"chain_{call}"
        out: list[dict[str, Any]] = []
        for kind in kinds:
            state = _SIP_STATES.get(kind)
            if state is None:
                raise ValueError(
                    f"unknown realtime.call event {kind!r}; use one of {sorted(_SIP_STATES)}"
                )
            event: dict[str, Any] = {
                "type": f"realtime.call.{kind}",
                "event_id": self._ids.next("event"),
                "call_id": call,
                "state": state,
            }
            if kind.startswith("transfer."):
                event["transfer_id"] = self._ids.next("transfer")
                if kind == "transfer.failed":
                    event.update(sip_code=486, reason="Busy Here")
            else:
                event["chain_id"] = chain
                if kind == "disconnected":
                    event["terminal_reason"] = "CustomerHangup"
                elif kind == "failed":
                    event.update(terminal_reason="SetupFailure", error_code="sip_setup_failed")
            event.update(fields)
            out.append(event)
        return out

    def _has_avatar(self) -> bool:
        return isinstance(self.session.get("avatar"), Mapping)

    # -- auto_truncate ---------------------------------------------------------------------

    def _playing_item(self) -> dict[str, Any] | None:
        """The assistant audio item the active response is streaming, if any."""
        active = self._active
        item = active.open_item if active is not None else None
        if item is None or item.get("type") != "message" or item["id"] not in self._audio:
            return None
        return item

    def _truncate_at_sent(self, item: dict[str, Any]) -> None:
        """``auto_truncate``: cut the item at the audio already sent (and, with realtime
        pacing, played), as ``conversation.item.truncate`` would; the transcript of an
        audio part that was cut is dropped, as the service does on truncation."""
        audio = self._audio[item["id"]]
        fmt = self._audio_fmt[item["id"]]
        end_ms = int(fmt.bytes_to_ms(len(audio)))
        del audio[fmt.ms_to_bytes(end_ms) :]
        for part in item.get("content") or []:
            if part.get("type") == "audio":
                part["transcript"] = ""
        self._emit(
            "conversation.item.truncated", item_id=item["id"], content_index=0, audio_end_ms=end_ms
        )

    # -- interim responses -----------------------------------------------------------------

    def _interim_text(self, calls_tool: bool) -> str | None:
        config = self.session.get("interim_response")
        if not isinstance(config, Mapping) or not calls_tool:
            return None
        if "tool" not in (config.get("triggers") or ["latency"]):
            return None
        texts = config.get("texts") or []
        if config.get("type") == "static_interim_response" and texts:
            return str(texts[0])
        return _INTERIM_STAND_IN

    # -- animation and video ---------------------------------------------------------------

    def _animation_outputs(self, modalities: list[str]) -> frozenset[str]:
        outputs: set[str] = set()
        if "animation" in modalities:
            animation = self.session.get("animation")
            wanted = (animation or {}).get("outputs") if isinstance(animation, Mapping) else None
            outputs.update(str(o) for o in (wanted or ["blendshapes"]))
        avatar = self.session.get("avatar")
        if isinstance(avatar, Mapping) and avatar.get("output_protocol") == "websocket":
            outputs.add("video")
        return frozenset(outputs)

    def _animation(
        self, response: _Resp, ids: dict[str, Any], words: list[WordTiming], chunk_ms: float
    ) -> None:
        """Animation/video events for one audio chunk (``words``: the words it holds)."""
        outputs = response.animation
        if not outputs:
            return
        if "viseme_id" in outputs:
            for word in words:
                self._emit(
                    "response.animation_viseme.delta",
                    **ids,
                    content_index=0,
                    audio_offset_ms=word.offset_ms,
                    viseme_id=_viseme_id(word.text),
                )
        if "blendshapes" in outputs:
            count = max(1, round(chunk_ms * ANIMATION_FPS / 1000))
            start = response.frame_index
            frames = [
                [round(((start + f) * 7 + k) % 20 / 20, 2) for k in range(BLENDSHAPE_COUNT)]
                for f in range(count)
            ]
            response.frame_index += count
            self._emit(
                "response.animation_blendshapes.delta",
                **ids,
                content_index=0,
                frames=frames,
                frame_index=start,
            )
        if "video" in outputs:
            avatar = self.session.get("avatar") or {}
            video = avatar.get("video") if isinstance(avatar, Mapping) else None
            codec = (video or {}).get("codec") if isinstance(video, Mapping) else None
            frame = b"\x00\x00\x00\x01" + response.video_frames.to_bytes(4, "big")
            response.video_frames += 1
            self._emit(
                "response.video.delta",
                output_index=ids["output_index"],
                codec=str(codec or "h264"),
                delta=base64.b64encode(frame).decode("ascii"),
            )

    def _animation_done(self, response: _Resp, ids: dict[str, Any]) -> None:
        outputs = response.animation
        if "blendshapes" in outputs:
            self._emit("response.animation_blendshapes.done", **ids)
        if "viseme_id" in outputs:
            self._emit("response.animation_viseme.done", **ids, content_index=0)
