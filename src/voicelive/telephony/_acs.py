"""Azure Communication Services bidirectional media streaming: typed messages and auth.

ACS (Call Automation, ``MediaStreamingOptions(enable_bidirectional=True)``) opens a WebSocket
to the ``transport_url`` and sends JSON text frames with a ``kind`` discriminator:

* ``AudioMetadata`` -- first frame: ``audioMetadata`` = ``{subscriptionId, encoding ("PCM"),
  sampleRate (16000 or 24000), channels (1), length (bytes per 20 ms frame: 640 or 960)}``.
* ``AudioData`` -- ``audioData`` = ``{data (base64 PCM16 LE), timestamp (ISO 8601),
  participantRawID, silent}``.
* ``DtmfData`` -- ``dtmfData`` = ``{data}`` (the key), when DTMF tones are enabled.

We send ``{"kind": "AudioData", "audioData": {"data": ...}, "stopAudio": null}`` and
``{"kind": "StopAudio", "audioData": null, "stopAudio": {}}`` (drop the queued audio). ACS
gives no playback acknowledgement: what the caller heard is estimated from the playback
clock (see :class:`~voicelive.telephony.CallBridge`).

**Authentication.** Each WebSocket connection request from Call Automation carries a signed
JWT in its ``Authorization: Bearer`` header (RS256; issuer
``https://acscallautomation.communication.azure.com``; audience: the ACS resource's immutable
id; keys at ``.../calling/keys``). :class:`AcsTokenVerifier` checks it with PyJWT
(``pip install 'voicelive[acs]'``).

Received frames are decoded leniently: the first letter of keys is case-insensitive
(``Kind`` / ``kind``), unknown keys are kept, an unknown kind becomes :class:`AcsUnknown`.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from json.encoder import encode_basestring_ascii as _quote
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from ._errors import MissingExtraError, PhoneProtocolError, StreamRefusedError

__all__ = [
    "ACS_ISSUER",
    "ACS_JWKS_URL",
    "AcsAudioData",
    "AcsAudioMetadata",
    "AcsDtmfData",
    "AcsInbound",
    "AcsTokenVerifier",
    "AcsUnknown",
    "parse_acs_message",
]

ACS_ISSUER = "https://acscallautomation.communication.azure.com"
"""The ``iss`` of the tokens Call Automation puts on media WebSocket requests."""
ACS_JWKS_URL = "https://acscallautomation.communication.azure.com/calling/keys"
"""Where Call Automation publishes its signing keys."""

_CFG = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow")


class _In(BaseModel):
    model_config = _CFG

    def to_json(self) -> str:
        """The wire JSON (camelCase keys)."""
        return self.model_dump_json(by_alias=True, exclude_none=True)


class AcsAudioMetadataInfo(_In):
    """``audioMetadata``: the stream's audio format."""

    subscription_id: str = ""
    encoding: str = "PCM"
    sample_rate: int = 16000
    channels: int = 1
    length: int = 640


class AcsAudioMetadata(_In):
    """First frame of a media stream."""

    kind: Literal["AudioMetadata"] = "AudioMetadata"
    audio_metadata: AcsAudioMetadataInfo = Field(default_factory=AcsAudioMetadataInfo)


class AcsAudioDataInfo(_In):
    """``audioData``: one frame of audio."""

    data: str
    timestamp: str | None = None
    participant_raw_id: str | None = Field(default=None, alias="participantRawID")
    silent: bool = False


class AcsAudioData(_In):
    """A frame of the call's audio (base64 PCM16 little-endian)."""

    kind: Literal["AudioData"] = "AudioData"
    audio_data: AcsAudioDataInfo


class AcsDtmfInfo(_In):
    """``dtmfData``."""

    data: str


class AcsDtmfData(_In):
    """A DTMF key pressed by the caller."""

    kind: Literal["DtmfData"] = "DtmfData"
    dtmf_data: AcsDtmfInfo


class AcsUnknown(_In):
    """A frame of a kind this version does not know (kept, ignored)."""

    kind: str


AcsInbound = AcsAudioMetadata | AcsAudioData | AcsDtmfData | AcsUnknown
"""Any frame ACS sends."""

_INBOUND: dict[str, type[_In]] = {
    "AudioMetadata": AcsAudioMetadata,
    "AudioData": AcsAudioData,
    "DtmfData": AcsDtmfData,
}


def _lower_first(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {
            (k[:1].lower() + k[1:] if isinstance(k, str) else k): _lower_first(v)
            for k, v in obj.items()
        }
    return obj


def parse_acs_message(data: str | bytes | Mapping[str, Any]) -> AcsInbound:
    """Decode one ACS media-streaming frame.

    Raises:
        PhoneProtocolError: not JSON, no ``kind``, or a required field missing.
    """
    if isinstance(data, Mapping):
        obj: Any = dict(data)
    else:
        try:
            obj = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise PhoneProtocolError("acs", f"frame is not JSON ({exc})") from None
        except RecursionError:  # nested deeper than json can follow: a bad frame like any other
            raise PhoneProtocolError("acs", "frame is not JSON (nested too deeply)") from None
    if not isinstance(obj, dict):
        raise PhoneProtocolError("acs", "frame is not a JSON object")
    if "kind" not in obj:
        obj = _lower_first(obj)
    kind = obj.get("kind")
    if not isinstance(kind, str):
        raise PhoneProtocolError("acs", "frame has no 'kind' string")
    # ACS writes "AudioData"; some senders write "audioData": accept both.
    kind = kind[:1].upper() + kind[1:]
    obj["kind"] = kind
    model = _INBOUND.get(kind)
    try:
        if model is None:
            return AcsUnknown.model_validate(obj)
        if "audioData" not in obj and "dtmfData" not in obj and "audioMetadata" not in obj:
            obj = _lower_first(obj)
        return model.model_validate(obj)  # type: ignore[return-value]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise PhoneProtocolError("acs", f"bad {kind!r} frame: {where}: {first['msg']}") from None


def audio_frame(payload: str) -> str:
    """The wire JSON of an outbound ``AudioData`` frame (base64 PCM16)."""
    return '{"kind":"AudioData","audioData":{"data":' + _quote(payload) + '},"stopAudio":null}'


STOP_AUDIO_FRAME = '{"kind":"StopAudio","audioData":null,"stopAudio":{}}'
"""The wire JSON of ``StopAudio``: drop the audio ACS queued for the call."""


def parse_acs_outbound(data: str | bytes) -> tuple[str, str | None]:
    """``(kind, base64 data or None)`` of a frame *we* sent to ACS (for fake callers)."""
    obj = _lower_first(json.loads(data))
    kind = obj.get("kind")
    if kind == "AudioData":
        return "AudioData", str(obj["audioData"]["data"])
    if kind == "StopAudio":
        return "StopAudio", None
    raise PhoneProtocolError("acs", f"not a frame a server sends: {kind!r}")


class AcsTokenVerifier:
    """Checks the JWT Call Automation sends on each media WebSocket request.

    Args:
        audience: the ACS resource's immutable resource id (the token's ``aud``).
        jwks: the signing keys as a JWKS dict (``{"keys": [...]}``); ``None`` fetches
            :data:`ACS_JWKS_URL` (cached by PyJWT).
        issuer: the expected ``iss``.
        leeway: seconds of clock skew allowed on ``exp`` / ``nbf``.
    """

    def __init__(
        self,
        audience: str,
        *,
        jwks: Mapping[str, Any] | None = None,
        issuer: str = ACS_ISSUER,
        jwks_url: str = ACS_JWKS_URL,
        leeway: float = 60.0,
    ) -> None:
        try:
            import jwt
        except ImportError:
            raise MissingExtraError("pyjwt", "acs", "ACS media WebSocket authentication") from None
        self._jwt = jwt
        self.audience = audience
        self.issuer = issuer
        self.leeway = leeway
        self._keys = jwt.PyJWKSet.from_dict(dict(jwks)) if jwks is not None else None
        self._client = None if jwks is not None else jwt.PyJWKClient(jwks_url)

    def __repr__(self) -> str:
        return f"<AcsTokenVerifier issuer={self.issuer!r}>"

    def _key(self, token: str) -> Any:
        if self._keys is None:
            assert self._client is not None
            return self._client.get_signing_key_from_jwt(token).key
        kid = self._jwt.get_unverified_header(token).get("kid")
        for key in self._keys.keys:
            if kid is None or key.key_id == kid:
                return key.key
        raise StreamRefusedError("ACS token signed with an unknown key")

    def verify(self, authorization: str | None, *, now: float | None = None) -> dict[str, Any]:
        """The token's claims; raises :class:`StreamRefusedError` if it does not check out."""
        if not authorization or not authorization.startswith("Bearer "):
            raise StreamRefusedError("missing ACS bearer token")
        token = authorization[len("Bearer ") :].strip()
        try:
            claims: dict[str, Any] = self._jwt.decode(
                token,
                self._key(token),
                algorithms=["RS256"],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iss", "aud"]},
            )
        except self._jwt.PyJWTError as exc:
            raise StreamRefusedError(f"invalid ACS token: {exc}") from None
        if now is not None and claims.get("exp", now + 1) + self.leeway < now:
            raise StreamRefusedError("invalid ACS token: expired")
        return claims

    async def verify_async(self, authorization: str | None) -> dict[str, Any]:
        """:meth:`verify` off the event loop (fetching keys is blocking I/O)."""
        if self._client is None:
            return self.verify(authorization)
        return await asyncio.to_thread(self.verify, authorization, now=time.time())
