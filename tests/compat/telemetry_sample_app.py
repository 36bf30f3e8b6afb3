"""A program shaped like the official telemetry samples, import-swapped (run by a test).

``python telemetry_sample_app.py enablement|content|custom_attributes`` configures tracing
the way the official samples do (azure-core's tracing setting, a global ``TracerProvider``
with a console exporter, the ``AZURE_EXPERIMENTAL_ENABLE_GENAI_TRACING`` gate,
``VoiceLiveInstrumentor().instrument()``; in the custom-attributes variant a
``SpanProcessor`` keyed on span names added afterwards), then runs one text exchange inside
a scenario span. Instead of an Azure endpoint it starts the emulator. The console exporter
prints every span as JSON on stdout.
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any, cast

from azure.core.settings import settings

settings.tracing_implementation = "opentelemetry"

from azure.core.credentials import AzureKeyCredential  # noqa: E402
from opentelemetry import trace  # noqa: E402
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor, TracerProvider  # noqa: E402
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor  # noqa: E402

# The only change from code written for the official SDK: the import prefix.
from voicelive.aio import connect  # noqa: E402
from voicelive.models import (  # noqa: E402
    InputTextContentPart,
    Modality,
    OutputAudioFormat,
    RequestSession,
    ServerEventType,
    ServerVad,
    UserMessageItem,
)
from voicelive.telemetry import VoiceLiveInstrumentor  # noqa: E402
from voicelive.testing import MockServer  # noqa: E402

VARIANT = sys.argv[1]


class CustomAttributeSpanProcessor(SpanProcessor):
    """Tags every span, and send/recv spans by their name prefix."""

    def on_start(self, span: Span, parent_context: Any = None) -> None:
        span.set_attribute("trace_sample.sessionid", "my-session-123")
        if span.name and span.name.startswith("send"):
            span.set_attribute("trace_sample.send.context", "user-interaction")
        if span.name and span.name.startswith("recv"):
            span.set_attribute("trace_sample.recv.priority", "normal")

    def on_end(self, span: ReadableSpan) -> None:
        pass


tracer_provider = TracerProvider()
tracer_provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
trace.set_tracer_provider(tracer_provider)
tracer = trace.get_tracer(__name__)

os.environ.setdefault("AZURE_EXPERIMENTAL_ENABLE_GENAI_TRACING", "true")
if VARIANT == "content":
    VoiceLiveInstrumentor().instrument(enable_content_recording=True)
else:
    VoiceLiveInstrumentor().instrument()
if VARIANT == "custom_attributes":
    provider = cast(TracerProvider, trace.get_tracer_provider())
    provider.add_span_processor(CustomAttributeSpanProcessor())


async def main() -> None:
    async with MockServer() as server:
        with tracer.start_as_current_span(f"sample_{VARIANT}"):
            async with connect(
                endpoint=server.endpoint,
                credential=AzureKeyCredential("<key>"),
                model="gpt-realtime",
            ) as connection:
                await connection.session.update(
                    session=RequestSession(
                        modalities=[Modality.TEXT],
                        instructions="You are a helpful assistant. Say hello briefly.",
                        turn_detection=ServerVad(
                            threshold=0.5, prefix_padding_ms=300, silence_duration_ms=500
                        ),
                        output_audio_format=OutputAudioFormat.PCM16,
                    )
                )
                await connection.conversation.item.create(
                    item=UserMessageItem(
                        content=[InputTextContentPart(text="Hello, tell me a joke")]
                    )
                )
                await connection.response.create()
                async for event in connection:
                    event_type = getattr(event, "type", None)
                    if event_type == ServerEventType.RESPONSE_DONE:
                        break
    tracer_provider.force_flush()
    tracer_provider.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
