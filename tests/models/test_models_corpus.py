"""Every server event example published in the public references decodes to its own class.

The examples live in ``tests/models/corpus/*.json``, one file per reference page, each example
with the address it was taken from (Voice Live API reference 2025-10-01 and 2026-07-15, the Azure
OpenAI audio events reference, the OpenAI realtime OpenAPI examples). The rule they enforce
(issue #12): a server-event field is required only where every published example carries it, so
no published example may end up as :class:`InvalidServerEvent` -- except the few whose content is
of the wrong kind (placeholder text where base64 audio belongs), which are marked
``"expect": "invalid"`` with the reason, and OpenAI GA-only event names (``"expect": "unknown"``).
Examples that are not valid JSON as published are kept as ``text`` and checked to stay invalid.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from voicelive._protocol import Side, VoiceLiveProtocol
from voicelive.models import SERVER_EVENT_CLASSES, InvalidServerEvent, UnknownServerEvent

CORPUS = Path(__file__).parent / "corpus"


def _examples() -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(CORPUS.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for index, example in enumerate(doc["examples"]):
            out.append((f"{path.stem}[{index}]", example))
    return out


EXAMPLES = _examples()
JSON_EXAMPLES = [(name, ex) for name, ex in EXAMPLES if "event" in ex]
TEXT_EXAMPLES = [(name, ex) for name, ex in EXAMPLES if "text" in ex]


def test_corpus_covers_the_reference_pages() -> None:
    pages = {path.stem for path in CORPUS.glob("*.json")}
    assert pages == {
        "voice-live-2025-10-01",
        "voice-live-2026-07-15",
        "azure-openai-realtime-audio-reference",
        "openai-openapi",
    }
    assert len(JSON_EXAMPLES) >= 200
    for _, example in EXAMPLES:
        assert example["source"].startswith("https://"), example


@pytest.mark.parametrize(("name", "example"), JSON_EXAMPLES, ids=[n for n, _ in JSON_EXAMPLES])
def test_published_example_decodes_to_its_class(name: str, example: dict[str, Any]) -> None:
    frame = example["event"]
    event = VoiceLiveProtocol(Side.CLIENT).decode_server_frame(json.dumps(frame))
    expect = example.get("expect")
    if expect == "invalid":
        assert isinstance(event, InvalidServerEvent), event
        assert example["why"]
        return
    if expect == "unknown":
        assert isinstance(event, UnknownServerEvent), event
        assert event.raw == frame
        return
    assert expect is None, f"unexpected 'expect' {expect!r} in {name}"
    cls = SERVER_EVENT_CLASSES[frame["type"]]
    assert type(event) is cls, getattr(event, "error", event)
    # Nothing is lost: every key of the frame is present in the decoded event (mapping view).
    for key in frame:
        assert key in event, key


@pytest.mark.parametrize(("name", "example"), TEXT_EXAMPLES, ids=[n for n, _ in TEXT_EXAMPLES])
def test_examples_not_valid_json_as_published_stay_so(name: str, example: dict[str, Any]) -> None:
    with pytest.raises(json.JSONDecodeError):
        json.loads(example["text"])
    assert example["note"]
