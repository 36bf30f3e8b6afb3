"""Conversation items: ``conversation.item.create/retrieve/delete/truncate``."""

from __future__ import annotations

import base64
from typing import Any

from ._base import EmulatorState, Refused, copy_item

__all__ = ["ItemsPart"]


class ItemsPart(EmulatorState):
    """The conversation as an ordered list of items (wire dicts), with their audio aside."""

    def _server_item(self, request: Any, param: str) -> dict[str, Any]:
        """A request item -> the server's item dict (audio kept aside)."""
        wire: dict[str, Any] = request.to_wire_dict()
        kind = wire.get("type")
        item: dict[str, Any] = {"id": wire.get("id"), "object": "realtime.item", "type": kind}
        if kind == "message":
            role = wire.get("role")
            allowed = {
                "system": ("input_text",),
                "user": ("input_text", "input_audio"),
                "assistant": ("text", "input_text"),
            }.get(str(role))
            if allowed is None:
                raise Refused(
                    "invalid_value",
                    f"Invalid value: '{role}'. Supported values are: 'system', 'user' and "
                    "'assistant'.",
                    f"{param}.role",
                )
            content: list[dict[str, Any]] = []
            for index, part in enumerate(wire.get("content") or []):
                part_type = part.get("type")
                if part_type not in allowed:
                    raise Refused(
                        "invalid_value",
                        f"A {role} message cannot contain a '{part_type}' content part"
                        + (
                            " (assistant audio messages cannot be added)."
                            if role == "assistant"
                            else "."
                        ),
                        f"{param}.content[{index}].type",
                    )
                if part_type == "input_audio":
                    content.append({"type": "input_audio", "transcript": part.get("transcript")})
                else:
                    content.append({"type": part_type, "text": part.get("text", "")})
            item.update(status="completed", role=role, content=content)
        elif kind == "function_call":
            item.update(
                status="completed",
                name=wire.get("name"),
                call_id=wire.get("call_id"),
                arguments=wire.get("arguments"),
            )
        elif kind == "function_call_output":
            call_id = wire.get("call_id")
            if not any(
                other.get("type") == "function_call" and other.get("call_id") == call_id
                for other in self._items
            ):
                raise Refused(
                    "invalid_value",
                    f"No function call with call_id '{call_id}' in the conversation.",
                    f"{param}.call_id",
                )
            item.update(call_id=call_id, output=wire.get("output"))
        elif kind == "mcp_approval_response":
            request_id = wire.get("approval_request_id")
            request = self._by_id.get(str(request_id))
            if request is None or request.get("type") != "mcp_approval_request":
                raise Refused(
                    "invalid_value",
                    f"No mcp_approval_request item with id '{request_id}' in the conversation.",
                    f"{param}.approval_request_id",
                )
            item.update(approval_request_id=request_id, approve=wire.get("approve"))
        else:
            raise Refused(
                "invalid_value",
                f"Invalid value: '{kind}'. Supported item types are: 'message', "
                "'function_call', 'function_call_output' and 'mcp_approval_response'.",
                f"{param}.type",
            )
        return item

    def _store_item_audio(self, request: Any, item: dict[str, Any], param: str) -> None:
        """Keep the audio of input_audio parts aside; compute their transcript stand-in."""
        if item.get("type") != "message":
            return
        audio = bytearray()
        for index, part in enumerate(getattr(request, "content", None) or []):
            if getattr(part, "type", None) == "input_audio":
                audio += self._decode_audio(part.audio, f"{param}.content[{index}].audio")
        if audio:
            self._audio[item["id"]] = audio
            self._audio_fmt[item["id"]] = self._in_fmt
            parts = [p for p in item["content"] if p["type"] == "input_audio"]
            given = next((p["transcript"] for p in parts if p.get("transcript")), None)
            if not given:
                try:
                    given = self._transcribe(bytes(audio), self._in_fmt)
                except Exception:  # no transcription events for created items: no text
                    given = ""
            self._transcripts[item["id"]] = given

    def _create_item(self, request: Any, previous_item_id: str | None, param: str) -> None:
        if previous_item_id is None:
            index = len(self._items)
        elif previous_item_id == "root":
            index = 0
        else:
            self._find(previous_item_id, "previous_item_id")
            index = (
                next(i for i, item in enumerate(self._items) if item["id"] == previous_item_id) + 1
            )
        item = self._server_item(request, param)
        if item["id"] is None:
            item["id"] = self._ids.next("item")
        elif item["id"] in self._by_id:
            raise Refused(
                "item_already_exists",
                f"Item with id '{item['id']}' already exists in the conversation.",
                f"{param}.id",
            )
        self._store_item_audio(request, item, param)
        previous = self._insert_item(item, index)
        self._emit("conversation.item.created", previous_item_id=previous, item=copy_item(item))
        if item["type"] == "mcp_approval_response":
            self._on_approval_item(item)

    def _on_item_create(self, event: Any) -> None:
        if event.item is None:
            raise Refused(
                "missing_required_parameter", "Missing required parameter: 'item'.", "item"
            )
        self._create_item(event.item, event.previous_item_id, "item")

    def _on_item_retrieve(self, event: Any) -> None:
        item = copy_item(self._find(event.item_id))
        audio = self._audio.get(event.item_id)
        if audio is not None:
            encoded = base64.b64encode(bytes(audio)).decode("ascii")
            for part in item.get("content") or []:
                if part.get("type") in ("input_audio", "audio"):
                    part["audio"] = encoded
                    break
        self._emit("conversation.item.retrieved", item=item)

    def _on_item_delete(self, event: Any) -> None:
        item = self._find(event.item_id)
        self._items.remove(item)
        del self._by_id[event.item_id]
        self._audio.pop(event.item_id, None)
        self._audio_fmt.pop(event.item_id, None)
        self._transcripts.pop(event.item_id, None)
        self._emit("conversation.item.deleted", item_id=event.item_id)

    def _on_item_truncate(self, event: Any) -> None:
        item = self._find(event.item_id)
        if item.get("type") != "message" or item.get("role") != "assistant":
            raise Refused(
                "invalid_value", "Only assistant message items can be truncated.", "item_id"
            )
        content = item.get("content") or []
        index = event.content_index
        if not 0 <= index < len(content) or content[index].get("type") != "audio":
            raise Refused(
                "invalid_value",
                f"Item '{event.item_id}' has no audio content part at content_index {index}.",
                "content_index",
            )
        active = self._active
        if active is not None and active.open_item is item:
            self._cancel("client_cancelled")
        audio = self._audio.get(event.item_id, bytearray())
        fmt = self._audio_fmt.get(event.item_id, self._in_fmt)
        duration = fmt.bytes_to_ms(len(audio))
        if event.audio_end_ms < 0 or event.audio_end_ms > duration:
            raise Refused(
                "invalid_value",
                f"audio_end_ms ({event.audio_end_ms} ms) is beyond the audio of item "
                f"'{event.item_id}' ({duration:.0f} ms).",
                "audio_end_ms",
            )
        del audio[fmt.ms_to_bytes(event.audio_end_ms) :]
        content[index]["transcript"] = ""
        self._emit(
            "conversation.item.truncated",
            item_id=event.item_id,
            content_index=index,
            audio_end_ms=event.audio_end_ms,
        )
