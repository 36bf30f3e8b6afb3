"""Response generation: ``response.create/cancel``, the responder call and the streamed events.

A response streams in *steps* (a generator yielding each step's audio or text duration in
ms) so that a cancel or barge-in can land in the middle of it.
"""

from __future__ import annotations

import base64
import copy
import math
from collections.abc import Generator, Iterator
from typing import Any

from .._responders import FunctionCall, Reply, ResponseContext
from .._speech import WordTiming, _words, synthesize_speech
from ._base import (
    TEXT_DELTA_MS,
    EmulatorState,
    PlannedOutput,
    Refused,
    ResponseState,
    copy_item,
    estimate_tokens,
)
from ._session import (
    _check_max_tokens,
    _check_modalities,
    _check_temperature,
    _check_tools,
    _output_format,
)

__all__ = ["ResponsesPart"]


class ResponsesPart(EmulatorState):
    """Responses: validate the parameters, ask the responder, stream its reply."""

    def _on_response_create(self, event: Any) -> None:
        params: dict[str, Any] = event.response.to_wire_dict() if event.response else {}
        if self._active is not None:
            if params.get("cancel_previous"):
                self._cancel("client_cancelled")
            else:
                raise Refused(
                    "conversation_already_has_active_response",
                    "Conversation already has an active response in progress: "
                    f"{self._active.id}. Wait until the response is finished before creating "
                    "a new one.",
                )
        self._start_response(params, event.response, event.additional_instructions)

    def _on_response_cancel(self, event: Any) -> None:
        active = self._active
        if active is None or (event.response_id and event.response_id != active.id):
            which = f" with id '{event.response_id}'" if event.response_id else ""
            raise Refused(
                "response_cancel_not_active",
                f"Cancellation failed: no active response{which} found.",
                "response_id" if event.response_id else None,
            )
        self._cancel("client_cancelled")

    def _start_response(
        self,
        params: dict[str, Any] | None,
        request: Any,
        additional_instructions: str | None,
    ) -> None:
        p = params or {}
        session = self.session
        modalities = list(p.get("modalities") or session.get("modalities") or ["text"])
        _check_modalities(modalities, "response.modalities")
        format_name = p.get("output_audio_format") or session.get("output_audio_format")
        out_fmt = _output_format(format_name, "response.output_audio_format")
        temperature = p.get("temperature", session.get("temperature"))
        _check_temperature(temperature, "response.temperature")
        max_tokens = p.get(
            "max_output_tokens",
            p.get("max_response_output_tokens", session.get("max_response_output_tokens")),
        )
        _check_max_tokens(max_tokens, "response.max_output_tokens")
        tools = list(p["tools"]) if "tools" in p else list(session.get("tools") or [])
        tool_choice = p.get("tool_choice", session.get("tool_choice", "auto"))
        _check_tools(tools, tool_choice, "response")
        conversation_mode = p.get("conversation") or "auto"
        # side effects only after validation
        if p.get("commit") and self._timeline - self._buf_start > 0:
            self._check_commit_size(self._timeline - self._buf_start)
            item_id = self._vad_item or self._ids.next("item")
            self._vad_item = None
            self._commit(item_id, self._buf_start, self._timeline)
        if request is not None and request.append_input_items:
            for index, item in enumerate(request.append_input_items):
                self._create_item(item, None, f"response.append_input_items[{index}]")
        if request is not None and request.input_items:
            input_items = []
            for index, item in enumerate(request.input_items):
                param = f"response.input_items[{index}]"
                server_item = self._server_item(item, param)
                server_item["id"] = server_item["id"] or f"input_{index}"
                self._store_item_audio(item, server_item, param)
                input_items.append(server_item)
        else:
            input_items = self.conversation
        instructions = p.get("instructions")
        if instructions is None:
            instructions = session.get("instructions") or ""
        if additional_instructions:
            instructions = (
                f"{instructions}\n{additional_instructions}"
                if instructions
                else (additional_instructions)
            )
        response = ResponseState(
            id=self._ids.next("resp"),
            index=self._responses,
            modalities=[str(m) for m in modalities],
            voice=p.get("voice", session.get("voice")),
            output_format_name=str(format_name or "pcm16"),
            output_format=out_fmt,
            temperature=temperature,
            max_output_tokens=max_tokens,
            metadata=p.get("metadata"),
            in_conversation=conversation_mode != "none",
            input_items=input_items,
            timestamps="word" in (session.get("output_audio_timestamp_types") or []),
            animation=self._animation_outputs([str(m) for m in modalities]),
        )
        self._responses += 1
        self._emit("response.created", response=self._response_object(response, "in_progress"))
        pre = p.get("pre_generated_assistant_message")
        continuation = self._continuation if pre is None else None
        if continuation is not None:
            self._continuation = None
            response.plan = self._continuation_plan(continuation)
            response.steps = self._run(response)
            self._active = response
            return
        try:
            if pre is not None:
                reply: Reply | str = Reply(
                    text="".join(str(part.get("text", "")) for part in pre.get("content") or [])
                )
            else:
                reply = self.responder(
                    self._context(response, input_items, instructions, tools, tool_choice)
                )
            if isinstance(reply, str):
                reply = Reply(text=reply)
            if not isinstance(reply, Reply):
                raise TypeError(
                    f"a responder must return a Reply or a str, not {type(reply).__name__}"
                )
            self._plan(response, reply, tools, tool_choice, max_tokens)
        except Refused as refused:
            self._fail(response, refused.code, refused.message)
            return
        except Exception as exc:
            self._fail(response, "responder_error", f"The responder raised {exc!r}")
            return
        if response.failure is not None:
            failure = response.failure
            self._fail(response, failure.code, failure.message, failure.error_type)
            return
        response.steps = self._run(response)
        self._active = response

    def _context(
        self,
        response: ResponseState,
        input_items: list[dict[str, Any]],
        instructions: str,
        tools: list[dict[str, Any]],
        tool_choice: Any,
    ) -> ResponseContext:
        last_user_text = None
        for item in reversed(input_items):
            if item.get("type") == "message" and item.get("role") == "user":
                texts = []
                for part in item.get("content") or []:
                    if part.get("type") == "input_text":
                        texts.append(str(part.get("text") or ""))
                    elif part.get("type") == "input_audio":
                        texts.append(
                            part.get("transcript") or self._transcripts.get(item["id"], "")
                        )
                last_user_text = " ".join(t for t in texts if t)
                break
        return ResponseContext(
            response_id=response.id,
            conversation=self.conversation,
            input_items=[copy_item(item) for item in input_items],
            last_user_text=last_user_text,
            last_item=copy_item(input_items[-1]) if input_items else None,
            instructions=instructions,
            tools=copy.deepcopy(tools),
            tool_choice=copy.deepcopy(tool_choice),
            modalities=list(response.modalities),
            session=copy.deepcopy(self.session),
            metadata=response.metadata,
            response_index=response.index,
        )

    def _plan(
        self,
        response: ResponseState,
        reply: Reply,
        tools: list[dict[str, Any]],
        tool_choice: Any,
        max_tokens: Any,
    ) -> None:
        """Turn a reply into the outputs of the response, validating it against the tools.

        Order: interim message, searches, Foundry agent calls, MCP calls (server-side tools
        run before the model answers), the message, then function calls (which the client
        runs after the response).
        """
        calls = reply.function_calls
        functions = {t.get("name") for t in tools if t.get("type") == "function"}
        for call in calls:
            if tool_choice == "none":
                raise Refused(
                    "invalid_function_call",
                    f"The responder called '{call.name}' but tool_choice is 'none'.",
                )
            if call.name not in functions:
                raise Refused(
                    "invalid_function_call",
                    f"The responder called function '{call.name}', which is not a tool of "
                    f"this response (tools: {sorted(str(f) for f in functions)}).",
                )
        servers = [(call, self._mcp_server(call, tools)) for call in reply.mcp_calls]
        agents = [(call, self._agent_tool(call, tools)) for call in reply.agent_calls]
        searches = reply.searches
        response.warning = reply.warning
        if reply.rate_limits is not None:
            response.rate_limits = [dict(limit) for limit in reply.rate_limits]
        failure = reply.failure
        if failure is not None and failure.status == "failed":
            response.failure = failure
            return
        if failure is not None:
            response.incomplete = True
            response.incomplete_reason = failure.code
        text = reply.text
        if isinstance(max_tokens, int) and text and estimate_tokens(text) > max_tokens:
            text = text[: max_tokens * 4]
            response.incomplete = True
            calls = []
        uses_tools = bool(calls or servers or agents or searches)
        interim = reply.interim if reply.interim is not None else self._interim_text(uses_tools)
        plan = response.plan
        if interim:
            plan.append(PlannedOutput("message", text=interim))
        plan.extend(PlannedOutput("search", call=search) for search in searches)
        plan.extend(PlannedOutput("agent", call=call, server=tool) for call, tool in agents)
        tail: list[PlannedOutput] = []
        if text is not None or not (uses_tools or interim):
            tail.append(PlannedOutput("message", text=text or ""))
        tail.extend(PlannedOutput("call", call=call) for call in calls)
        plan.extend(self._mcp_outputs(servers, tail))

    def _fail(
        self, response: ResponseState, code: str, message: str, error_type: str = "server_error"
    ) -> None:
        error = {"type": error_type, "code": code, "message": message}
        self._error(code, message, None, None, error_type=error_type)
        if response.warning:
            self._warn(response.warning)
        details = {"type": "failed", "error": error}
        self._emit("response.done", response=self._response_object(response, "failed", details))
        self._emit_rate_limits(response)

    def _warn(self, message: str) -> None:
        """A ``warning`` event (the conversation continues)."""
        self._emit("warning", warning={"type": "warning", "code": "emulated", "message": message})

    def _emit_rate_limits(self, response: ResponseState) -> None:
        """``rate_limits.updated`` after ``response.done``, as the reference lists it."""
        if response.rate_limits is not None:
            self._emit("rate_limits.updated", rate_limits=response.rate_limits)

    def _response_object(
        self, response: ResponseState, status: str, details: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        done = status != "in_progress"
        return {
            "object": "realtime.response",
            "id": response.id,
            "status": status,
            "status_details": details,
            "output": [copy_item(item) for item in response.output],
            "conversation_id": self.conversation_id if response.in_conversation else None,
            "modalities": list(response.modalities),
            "voice": copy.deepcopy(response.voice),
            "output_audio_format": response.output_format_name,
            "temperature": response.temperature,
            "max_output_tokens": response.max_output_tokens,
            "metadata": response.metadata,
            "usage": self._usage(response) if done else None,
        }

    def _usage(self, response: ResponseState) -> dict[str, Any]:
        in_text = in_audio_ms = 0.0
        for item in response.input_items:
            for part in item.get("content") or []:
                in_text += estimate_tokens(str(part.get("text") or part.get("transcript") or ""))
            for key in ("arguments", "output"):
                in_text += estimate_tokens(str(item.get(key) or ""))
            audio = self._audio.get(item.get("id", ""))
            if audio is not None:
                fmt = self._audio_fmt[item["id"]]
                in_audio_ms += fmt.bytes_to_ms(len(audio))
        in_text += estimate_tokens(str(self.session.get("instructions") or ""))
        out_text = 0
        for item in response.output:
            for part in item.get("content") or []:
                out_text += estimate_tokens(str(part.get("text") or part.get("transcript") or ""))
            out_text += estimate_tokens(str(item.get("arguments") or ""))
        text_in = int(in_text)
        audio_in = math.ceil(in_audio_ms / 100)
        audio_out = math.ceil(response.audio_ms / 50)
        total_in = text_in + audio_in
        total_out = out_text + audio_out
        return {
            "total_tokens": total_in + total_out,
            "input_tokens": total_in,
            "output_tokens": total_out,
            "input_token_details": {
                "cached_tokens": 0,
                "text_tokens": text_in,
                "audio_tokens": audio_in,
                "image_tokens": 0,
                "cached_tokens_details": {"text_tokens": 0, "audio_tokens": 0, "image_tokens": 0},
            },
            "output_token_details": {"text_tokens": out_text, "audio_tokens": audio_out},
        }

    # -- streaming ---------------------------------------------------------------

    def _add_output_item(self, response: ResponseState, item: dict[str, Any]) -> int:
        output_index = len(response.output)
        response.output.append(item)
        response.open_item = item
        self._emit(
            "response.output_item.added",
            response_id=response.id,
            output_index=output_index,
            item=copy_item(item),
        )
        if response.in_conversation:
            previous = self._insert_item(item)
            self._emit("conversation.item.created", previous_item_id=previous, item=copy_item(item))
        return output_index

    def _run(self, response: ResponseState) -> Generator[float, None, None]:
        for output in response.plan:
            if output.kind == "message":
                yield from self._run_message(response, output.text)
            elif output.kind == "call":
                yield from self._run_call(response, output.call)
            else:
                yield from self._run_tool(response, output)
        self._finish(response)

    def _run_message(self, response: ResponseState, text: str) -> Iterator[float]:
        item: dict[str, Any] = {
            "id": self._ids.next("item"),
            "object": "realtime.item",
            "type": "message",
            "status": "in_progress",
            "role": "assistant",
            "content": [],
        }
        item_id = item["id"]
        output_index = self._add_output_item(response, item)
        audio = "audio" in response.modalities
        part: dict[str, Any] = (
            {"type": "audio", "transcript": ""}
            if audio
            else {
                "type": "text",
                "text": "",
            }
        )
        item["content"].append(part)
        response.open_part = part
        ids = {"response_id": response.id, "item_id": item_id, "output_index": output_index}
        self._emit("response.content_part.added", **ids, content_index=0, part=dict(part))
        yield 0.0
        if audio:
            fmt = response.output_format
            wire, words = synthesize_speech(
                text, fmt, ms_per_char=self.ms_per_char, max_ms=self.max_audio_ms
            )
            self._audio[item_id] = bytearray()
            self._audio_fmt[item_id] = fmt
            if self._has_avatar():
                response.speaking = True
                self._emit("session.avatar.switch_to_speaking", turn_id=response.id)
            if wire:
                self._audio_produced = True
            chunk = max(fmt.block_align, fmt.ms_to_bytes(self.audio_chunk_ms))
            pending = list(words)
            for offset in range(0, len(wire), chunk):
                piece = wire[offset : offset + chunk]
                end_ms = fmt.bytes_to_ms(offset + len(piece))
                last = offset + chunk >= len(wire)
                here: list[WordTiming] = []
                while pending and (last or pending[0].offset_ms < end_ms):
                    here.append(pending.pop(0))
                if here:
                    delta = "".join(word.text for word in here)
                    part["transcript"] += delta
                    self._emit(
                        "response.audio_transcript.delta", **ids, content_index=0, delta=delta
                    )
                    if response.timestamps:
                        for word in here:
                            self._emit(
                                "response.audio_timestamp.delta",
                                **ids,
                                content_index=0,
                                audio_offset_ms=word.offset_ms,
                                audio_duration_ms=word.duration_ms,
                                text=word.text.strip(),
                                timestamp_type="word",
                            )
                self._audio[item_id] += piece
                piece_ms = fmt.bytes_to_ms(len(piece))
                response.audio_ms += piece_ms
                self._animation(response, ids, here, piece_ms)
                self._emit(
                    "response.audio.delta",
                    **ids,
                    content_index=0,
                    delta=base64.b64encode(piece).decode("ascii"),
                )
                yield piece_ms
            if pending:
                delta = "".join(word.text for word in pending)
                part["transcript"] += delta
                self._emit("response.audio_transcript.delta", **ids, content_index=0, delta=delta)
        else:
            for _, token in _words(text):
                part["text"] += token
                self._emit("response.text.delta", **ids, content_index=0, delta=token)
                yield float(TEXT_DELTA_MS)
        self._close_part(response)
        self._close_item(response, "completed")

    def _run_call(self, response: ResponseState, call: FunctionCall) -> Iterator[float]:
        item: dict[str, Any] = {
            "id": self._ids.next("item"),
            "object": "realtime.item",
            "type": "function_call",
            "status": "in_progress",
            "name": call.name,
            "call_id": call.call_id or self._ids.next("call"),
            "arguments": "",
        }
        output_index = self._add_output_item(response, item)
        yield 0.0
        ids = {
            "response_id": response.id,
            "item_id": item["id"],
            "output_index": output_index,
            "call_id": item["call_id"],
        }
        yield from self._stream_arguments(
            "response.function_call_arguments",
            ids,
            item,
            arguments=call.arguments_json(),
            name=call.name,
        )
        self._close_item(response, "completed")

    def _close_part(self, response: ResponseState) -> None:
        part = response.open_part
        item = response.open_item
        if part is None or item is None:
            return
        ids = {
            "response_id": response.id,
            "item_id": item["id"],
            "output_index": len(response.output) - 1,
            "content_index": 0,
        }
        if part["type"] == "audio":
            if response.timestamps:
                self._emit("response.audio_timestamp.done", **ids)
            self._animation_done(response, {k: v for k, v in ids.items() if k != "content_index"})
            self._emit("response.audio.done", **ids)
            if response.speaking:
                response.speaking = False
                self._emit("session.avatar.switch_to_idle", turn_id=response.id)
            self._emit("response.audio_transcript.done", **ids, transcript=part["transcript"])
        else:
            self._emit("response.text.done", **ids, text=part["text"])
        self._emit("response.content_part.done", **ids, part=dict(part))
        response.open_part = None

    def _close_item(self, response: ResponseState, status: str) -> None:
        item = response.open_item
        if item is None:
            return
        item["status"] = status
        self._emit(
            "response.output_item.done",
            response_id=response.id,
            output_index=len(response.output) - 1,
            item=copy_item(item),
        )
        response.open_item = None

    def _finish(self, response: ResponseState) -> None:
        if response.incomplete:
            reason = response.incomplete_reason
            status, details = "incomplete", {"type": "incomplete", "reason": reason}
        else:
            status, details = "completed", None
        self._active = None
        self._idle_from = self._timeline
        if response.warning:
            self._warn(response.warning)
        self._emit("response.done", response=self._response_object(response, status, details))
        self._emit_rate_limits(response)

    def _cancel(self, reason: str) -> None:
        response = self._active
        if response is None:
            return
        if response.steps is not None:
            response.steps.close()
        self._close_part(response)
        self._close_item(response, "incomplete")
        self._active = None
        details = {"type": "cancelled", "reason": reason}
        self._emit("response.done", response=self._response_object(response, "cancelled", details))
