"""The official telemetry samples' programs, import-swapped, produce spans (run as programs).

Each run is a fresh interpreter, as the samples are scripts: OpenTelemetry's global tracer
provider can be set once per process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

APP = Path(__file__).with_name("telemetry_sample_app.py")


def _run(variant: str, **env: str) -> list[dict[str, Any]]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OTEL_", "AZURE_", "VOICELIVE_TELEMETRY"))
    }
    environment.update(env)
    result = subprocess.run(
        [sys.executable, str(APP), variant],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=environment,
    )
    assert result.returncode == 0, result.stderr
    decoder = json.JSONDecoder()
    spans: list[dict[str, Any]] = []
    text, index = result.stdout, 0
    while True:
        while index < len(text) and text[index].isspace():
            index += 1
        if index >= len(text):
            return spans
        span, index = decoder.raw_decode(text, index)
        spans.append(span)


def _by_name(spans: list[dict[str, Any]], name: str) -> dict[str, Any]:
    (span,) = [s for s in spans if s["name"] == name]
    return span


@pytest.mark.parametrize("variant", ["enablement", "content"])
def test_console_tracing_samples_produce_a_nested_span_tree(variant: str) -> None:
    spans = _run(variant)
    scenario = _by_name(spans, f"sample_{variant}")
    session = _by_name(spans, "realtime gpt-realtime")
    turn = _by_name(spans, "turn gpt-realtime")
    chat = _by_name(spans, "chat gpt-realtime")
    # The connection span is a child of the program's own span, like the official one.
    assert session["parent_id"] == scenario["context"]["span_id"]
    assert turn["parent_id"] == session["context"]["span_id"]
    assert chat["parent_id"] == turn["context"]["span_id"]
    assert session["attributes"]["gen_ai.system"] == "az.ai.voicelive"
    assert chat["attributes"]["gen_ai.usage.output_tokens"] > 0
    recorded = json.dumps(spans)
    if variant == "content":  # enable_content_recording=True
        assert "Hello, tell me a joke" in recorded
        assert "Say hello briefly" in recorded
    else:
        assert "Hello, tell me a joke" not in recorded
        assert "Say hello briefly" not in recorded


def test_custom_attribute_processor_keyed_on_official_names() -> None:
    spans = _run("custom_attributes", VOICELIVE_TELEMETRY_OFFICIAL_SPANS="true")
    assert all(s["attributes"].get("trace_sample.sessionid") == "my-session-123" for s in spans)
    sends = [s for s in spans if s["attributes"].get("trace_sample.send.context")]
    recvs = [s for s in spans if s["attributes"].get("trace_sample.recv.priority")]
    assert {s["name"] for s in sends} == {
        "send session.update",
        "send conversation.item.create",
        "send response.create",
    }
    assert {"recv session.created", "recv session.updated", "recv response.done"} <= {
        s["name"] for s in recvs
    }
    connect_span = _by_name(spans, "connect")
    assert {s["parent_id"] for s in sends + recvs} == {connect_span["context"]["span_id"]}
    assert _by_name(spans, "close")["parent_id"] == connect_span["context"]["span_id"]


def test_custom_attribute_processor_without_the_option_tags_no_message_spans() -> None:
    # The documented difference: without official_spans there is no span per message.
    spans = _run("custom_attributes")
    assert spans
    assert not [s for s in spans if s["attributes"].get("trace_sample.send.context")]
    assert all(s["attributes"].get("trace_sample.sessionid") for s in spans)
