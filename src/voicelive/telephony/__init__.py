"""voicelive.telephony: Voice Live on the phone (Twilio Media Streams, ACS media streaming).

* Typed phone-side messages: ``Twilio*`` (Media Streams) and ``Acs*`` (bidirectional media
  streaming), decoded leniently, bad frames reported as :class:`PhoneProtocolError`.
* One bridge for both (:class:`CallBridge`, around the sans-I/O :class:`BridgeCore`): phone
  audio straight into ``input_audio_buffer.append`` (no transcoding), assistant audio back in
  20 ms frames, barge-in with ``clear`` / ``StopAudio`` and a truncation at what the caller
  actually heard, DTMF to the app, hang-up either way.
* :class:`PhoneServer`: the aiohttp.web app behind ``voicelive phone serve`` (TwiML answer,
  media WebSockets, the ACS incoming-call webhook), with Twilio signatures, one-time stream
  tokens and the ACS media JWT checked.

See ``docs/guides/telephony.md``.
"""

from ._acs import (
    ACS_ISSUER,
    ACS_JWKS_URL,
    AcsAudioData,
    AcsAudioMetadata,
    AcsDtmfData,
    AcsInbound,
    AcsTokenVerifier,
    AcsUnknown,
    parse_acs_message,
)
from ._agent import DtmfHandler, PhoneAgent, load_agent, phone_session
from ._bridge import CallBridge, CallEnded, ConnectionFactory, serve_call
from ._core import BridgeCore
from ._errors import MissingExtraError, PhoneProtocolError, StreamRefusedError
from ._providers import AcsProvider, CallInfo, PhoneProvider, TwilioProvider, mask_number
from ._server import AcsAnswer, PhoneServer, PhoneServerConfig, acs_answer_with_sdk
from ._twilio import (
    TWILIO_MEDIA_FORMAT,
    TwilioClear,
    TwilioConnected,
    TwilioDtmf,
    TwilioInbound,
    TwilioMark,
    TwilioMedia,
    TwilioMediaFormat,
    TwilioOutbound,
    TwilioStart,
    TwilioStop,
    TwilioUnknown,
    parse_twilio_message,
    twilio_connect_twiml,
    validate_twilio_signature,
)

__all__ = [
    "ACS_ISSUER",
    "ACS_JWKS_URL",
    "TWILIO_MEDIA_FORMAT",
    "AcsAnswer",
    "AcsAudioData",
    "AcsAudioMetadata",
    "AcsDtmfData",
    "AcsInbound",
    "AcsProvider",
    "AcsTokenVerifier",
    "AcsUnknown",
    "BridgeCore",
    "CallBridge",
    "CallEnded",
    "CallInfo",
    "ConnectionFactory",
    "DtmfHandler",
    "MissingExtraError",
    "PhoneAgent",
    "PhoneProtocolError",
    "PhoneProvider",
    "PhoneServer",
    "PhoneServerConfig",
    "StreamRefusedError",
    "TwilioClear",
    "TwilioConnected",
    "TwilioDtmf",
    "TwilioInbound",
    "TwilioMark",
    "TwilioMedia",
    "TwilioMediaFormat",
    "TwilioOutbound",
    "TwilioProvider",
    "TwilioStart",
    "TwilioStop",
    "TwilioUnknown",
    "acs_answer_with_sdk",
    "load_agent",
    "mask_number",
    "parse_acs_message",
    "parse_twilio_message",
    "phone_session",
    "serve_call",
    "twilio_connect_twiml",
    "validate_twilio_signature",
]
