"""Span, attribute and metric names (one place; docs/observability.md lists them all).

GenAI names follow the OpenTelemetry GenAI semantic conventions; ``voicelive.*`` names are
ours. No opentelemetry import here.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ATTR_AZ_NAMESPACE",
    "ATTR_CLOSE_CODE",
    "ATTR_CLOSE_REASON",
    "ATTR_CONVERSATION_ID",
    "ATTR_ERROR_TYPE",
    "ATTR_EVENT_TYPE",
    "ATTR_FINISH_REASONS",
    "ATTR_INPUT_MESSAGES",
    "ATTR_IO_DIRECTION",
    "ATTR_OPERATION_NAME",
    "ATTR_OUTPUT_MESSAGES",
    "ATTR_PROVIDER_NAME",
    "ATTR_REQUEST_MODEL",
    "ATTR_RESPONSE_ID",
    "ATTR_RESPONSE_MODEL",
    "ATTR_SERVER_ADDRESS",
    "ATTR_SERVER_PORT",
    "ATTR_SYSTEM",
    "ATTR_SYSTEM_INSTRUCTIONS",
    "ATTR_TOKEN_TYPE",
    "ATTR_TOOL_CALL_ARGUMENTS",
    "ATTR_TOOL_CALL_ID",
    "ATTR_TOOL_NAME",
    "ATTR_USAGE_INPUT_TOKENS",
    "ATTR_USAGE_OUTPUT_TOKENS",
    "AZ_NAMESPACE",
    "CONTENT_ENV_VAR",
    "LEGACY_CONTENT_ENV_VAR",
    "METRIC_BYTES",
    "METRIC_EVENTS",
    "METRIC_INTERRUPTIONS",
    "METRIC_RECONNECTS",
    "METRIC_RESPONSE_DURATION",
    "METRIC_SESSIONS_ACTIVE",
    "METRIC_TIME_TO_FIRST_TEXT",
    "METRIC_TOKEN_USAGE",
    "METRIC_TURN_LATENCY_TO_FIRST_AUDIO",
    "OFFICIAL",
    "OFFICIAL_SPANS_ENV_VAR",
    "OP_RESPONSE",
    "OP_SESSION",
    "OP_TURN",
    "PROVIDER_NAME",
    "SYSTEM",
    "TRACING_GATE_ENV_VAR",
    "VL",
]

# ---------------------------------------------------------------- values
SYSTEM: Final = "az.ai.voicelive"
"""``gen_ai.system``: the value the official azure-ai-voicelive instrumentor uses, so
dashboards built on it keep working."""
PROVIDER_NAME: Final = "microsoft.foundry"
"""``gen_ai.provider.name`` (the newer conventions' replacement of ``gen_ai.system``)."""
AZ_NAMESPACE: Final = "Microsoft.CognitiveServices"
"""``az.namespace``: Azure SDK tracing convention, as the official SDK sets it."""

OP_SESSION: Final = "realtime"
"""``gen_ai.operation.name`` of the connection span."""
OP_TURN: Final = "turn"
"""``gen_ai.operation.name`` of a user-turn span."""
OP_RESPONSE: Final = "chat"
"""``gen_ai.operation.name`` of a response span: one model inference, so GenAI-aware backends
show it as a model call and aggregate its token usage."""

CONTENT_ENV_VAR: Final = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
"""Environment variable read when ``capture_content`` is not given (``true`` turns it on)."""
LEGACY_CONTENT_ENV_VAR: Final = "AZURE_TRACING_GEN_AI_CONTENT_RECORDING_ENABLED"
"""The older content switch :class:`VoiceLiveInstrumentor` also reads (as the official one
does); ignored when it disagrees with :data:`CONTENT_ENV_VAR`."""
TRACING_GATE_ENV_VAR: Final = "AZURE_EXPERIMENTAL_ENABLE_GENAI_TRACING"
"""``VoiceLiveInstrumentor().instrument()`` does nothing unless this is ``true`` (the official
instrumentor's gate). :func:`voicelive.telemetry.instrument` does not read it."""
OFFICIAL_SPANS_ENV_VAR: Final = "VOICELIVE_TELEMETRY_OFFICIAL_SPANS"
"""``true`` turns on the official-named per-message spans when ``official_spans`` is not
given (so a ported program can get them without a code change)."""

# ---------------------------------------------------------------- GenAI / general attributes
ATTR_SYSTEM: Final = "gen_ai.system"
ATTR_PROVIDER_NAME: Final = "gen_ai.provider.name"
ATTR_OPERATION_NAME: Final = "gen_ai.operation.name"
ATTR_REQUEST_MODEL: Final = "gen_ai.request.model"
ATTR_RESPONSE_MODEL: Final = "gen_ai.response.model"
ATTR_RESPONSE_ID: Final = "gen_ai.response.id"
ATTR_FINISH_REASONS: Final = "gen_ai.response.finish_reasons"
ATTR_CONVERSATION_ID: Final = "gen_ai.conversation.id"
ATTR_USAGE_INPUT_TOKENS: Final = "gen_ai.usage.input_tokens"
ATTR_USAGE_OUTPUT_TOKENS: Final = "gen_ai.usage.output_tokens"
ATTR_TOKEN_TYPE: Final = "gen_ai.token.type"
ATTR_TOOL_NAME: Final = "gen_ai.tool.name"
ATTR_TOOL_CALL_ID: Final = "gen_ai.tool.call.id"
ATTR_TOOL_CALL_ARGUMENTS: Final = "gen_ai.tool.call.arguments"
ATTR_INPUT_MESSAGES: Final = "gen_ai.input.messages"
ATTR_OUTPUT_MESSAGES: Final = "gen_ai.output.messages"
ATTR_SYSTEM_INSTRUCTIONS: Final = "gen_ai.system_instructions"
ATTR_SERVER_ADDRESS: Final = "server.address"
ATTR_SERVER_PORT: Final = "server.port"
ATTR_ERROR_TYPE: Final = "error.type"
ATTR_IO_DIRECTION: Final = "network.io.direction"
ATTR_AZ_NAMESPACE: Final = "az.namespace"

# ---------------------------------------------------------------- voicelive.* attributes


class VL:
    """``voicelive.*`` attribute names."""

    API_VERSION: Final = "voicelive.api_version"
    AGENT_NAME: Final = "voicelive.agent.name"
    SESSION_ID: Final = "voicelive.session.id"
    VOICE: Final = "voicelive.session.voice"
    TURN_DETECTION: Final = "voicelive.session.turn_detection"
    TURNS: Final = "voicelive.session.turns"
    RESPONSES: Final = "voicelive.session.responses"
    INTERRUPTIONS: Final = "voicelive.session.interruptions"
    BYTES_RECEIVED: Final = "voicelive.session.bytes_received"
    BYTES_SENT: Final = "voicelive.session.bytes_sent"
    RECONNECT_ATTEMPT: Final = "voicelive.reconnect.attempt"
    RECONNECT_REASON: Final = "voicelive.reconnect.reason"
    CLOSE_CODE: Final = "voicelive.close.code"
    CLOSE_REASON: Final = "voicelive.close.reason"

    TURN_INDEX: Final = "voicelive.turn.index"
    TURN_TRIGGER: Final = "voicelive.turn.trigger"
    TURN_ITEM_ID: Final = "voicelive.turn.item_id"
    TURN_OUTCOME: Final = "voicelive.turn.outcome"
    TURN_RESPONSES: Final = "voicelive.turn.responses"
    TURN_BARGE_IN: Final = "voicelive.turn.barge_in"
    TURN_LATENCY_TO_FIRST_AUDIO: Final = "voicelive.turn.latency_to_first_audio"

    RESPONSE_STATUS: Final = "voicelive.response.status"
    RESPONSE_STATUS_REASON: Final = "voicelive.response.status_reason"
    RESPONSE_AUDIO_BYTES: Final = "voicelive.response.audio_bytes"
    RESPONSE_FUNCTION_CALLS: Final = "voicelive.response.function_calls"
    RESPONSE_FUNCTION_CALL_NAMES: Final = "voicelive.response.function_call_names"
    RESPONSE_INTERRUPTED: Final = "voicelive.response.interrupted"
    RESPONSE_TIME_TO_FIRST_TEXT: Final = "voicelive.response.time_to_first_text"
    RESPONSE_TIME_TO_FIRST_AUDIO: Final = "voicelive.response.time_to_first_audio"
    USAGE_INPUT_AUDIO_TOKENS: Final = "voicelive.usage.input_audio_tokens"
    USAGE_OUTPUT_AUDIO_TOKENS: Final = "voicelive.usage.output_audio_tokens"
    USAGE_CACHED_TOKENS: Final = "voicelive.usage.cached_tokens"

    EVENT_TYPE: Final = "voicelive.event.type"
    ERROR_CODE: Final = "voicelive.error.code"
    ERROR_PARAM: Final = "voicelive.error.param"
    ITEM_ID: Final = "voicelive.item_id"
    AUDIO_END_MS: Final = "voicelive.audio_end_ms"

    # span event names
    EV_INTERRUPTION: Final = "voicelive.interruption"
    EV_SPEECH_STOPPED: Final = "voicelive.speech_stopped"
    EV_FIRST_AUDIO: Final = "voicelive.first_audio"
    EV_TOOL_CALL: Final = "gen_ai.tool.call"
    EV_RECONNECT: Final = "voicelive.reconnect"
    EV_USER_TRANSCRIPT: Final = "voicelive.user_transcript"


ATTR_EVENT_TYPE: Final = VL.EVENT_TYPE
ATTR_CLOSE_CODE: Final = VL.CLOSE_CODE
ATTR_CLOSE_REASON: Final = VL.CLOSE_REASON

# ---------------------------------------------------------------- metrics
METRIC_TURN_LATENCY_TO_FIRST_AUDIO: Final = "voicelive.turn.latency_to_first_audio"
METRIC_TIME_TO_FIRST_TEXT: Final = "voicelive.response.time_to_first_text"
METRIC_RESPONSE_DURATION: Final = "voicelive.response.duration"
METRIC_INTERRUPTIONS: Final = "voicelive.interruptions"
METRIC_RECONNECTS: Final = "voicelive.reconnects"
METRIC_BYTES: Final = "voicelive.bytes"
METRIC_EVENTS: Final = "voicelive.events"
METRIC_SESSIONS_ACTIVE: Final = "voicelive.sessions.active"
METRIC_TOKEN_USAGE: Final = "gen_ai.client.token.usage"


class OFFICIAL:
    """Names used by the official ``azure-ai-voicelive`` instrumentor, emitted only with
    ``official_spans=True`` (see docs/migration.md for the mapping to voicelive's names)."""

    EVENT_TYPE: Final = "gen_ai.voice.event_type"
    MESSAGE_SIZE: Final = "gen_ai.voice.message_size"
    SESSION_ID: Final = "gen_ai.voice.session_id"
    TURN_COUNT: Final = "gen_ai.voice.turn_count"
    INTERRUPTION_COUNT: Final = "gen_ai.voice.interruption_count"
    AUDIO_BYTES_RECEIVED: Final = "gen_ai.voice.audio_bytes_received"
    EVENT_CONTENT: Final = "gen_ai.event.content"
    EV_INPUT_MESSAGES: Final = "gen_ai.input.messages"
    EV_OUTPUT_MESSAGES: Final = "gen_ai.output.messages"
    CONNECT_SPAN: Final = "connect"
