"""Python functions as tools: JSON schema from type hints, and a runner that answers calls.

::

    tools = ToolRegistry()

    @tools.tool
    async def get_weather(city: str, unit: Literal["c", "f"] = "c") -> dict[str, object]:
        \"\"\"Current weather for a city.

        Args:
            city: the city name.
            unit: temperature unit.
        \"\"\"
        ...

    await conn.session.update(session=tools.add_to({"instructions": "..."}), wait=True)
    ToolRunner(tools, conn)   # answers every call, then asks for the next response

Schemas are built by pydantic from the signature (``Annotated[..., Field(...)]`` works), the
description from the docstring (Google-style ``Args:`` become parameter descriptions).

The runner observes ``response.function_call_arguments.done``, validates the arguments with
the same pydantic model, runs the function (async functions on the loop, sync ones in a
worker thread) and, once the response is done (``response.done``), sends one
``function_call_output`` per call, in call order, then *one* ``response.create`` (through a
:class:`~voicelive.conversation.ResponseGuard` when given one). Parallel calls of one
response run concurrently. A validation error, an exception or a timeout in the tool
becomes an output ``{"error": "..."}``: the model hears about it and the conversation
continues. When the response did not complete (cancelled by the user talking, failed), the
outputs are still sent but no new response is requested.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import re
import time
import typing
from collections import deque
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar, overload

import pydantic_core
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model
from pydantic.fields import FieldInfo

from .._logging import get_logger
from ..models import (
    ClientEventConversationItemCreate,
    ClientEventResponseCreate,
    FunctionCallOutputItem,
    FunctionTool,
    RequestSession,
    ResponseFunctionCallItem,
    ServerEvent,
    ServerEventResponseFunctionCallArgumentsDone,
)
from ._conn import ConnectionLike
from ._guard import ResponseGuard

__all__ = ["Tool", "ToolCallRecord", "ToolRegistry", "ToolRunner"]

_log = get_logger("conversation.tools")
_F = TypeVar("_F", bound=Callable[..., Any])
_SECTION = re.compile(
    r"^\s*(Args|Arguments|Parameters|Returns|Raises|Yields|Examples?|Notes?):\s*$"
)
_PARAM = re.compile(r"^\s*(\*{0,2}\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")


def _parse_docstring(doc: str | None) -> tuple[str, dict[str, str]]:
    """(description, {param: description}) from a Google-style docstring."""
    if not doc:
        return "", {}
    lines = inspect.cleandoc(doc).splitlines()
    description: list[str] = []
    params: dict[str, str] = {}
    section: str | None = None
    current: str | None = None
    for line in lines:
        header = _SECTION.match(line)
        if header:
            section, current = header.group(1), None
            continue
        if section is None:
            description.append(line)
        elif section in ("Args", "Arguments", "Parameters"):
            match = _PARAM.match(line)
            if match and (not line.startswith(" " * 8) or current is None):
                current = match.group(1).lstrip("*")
                params[current] = match.group(2).strip()
            elif current is not None and line.strip():
                params[current] = (params[current] + " " + line.strip()).strip()
    return "\n".join(description).strip(), params


def _has_description(annotation: Any) -> bool:
    if typing.get_origin(annotation) is not Annotated:
        return False
    return any(
        isinstance(meta, FieldInfo) and meta.description for meta in typing.get_args(annotation)[1:]
    )


def _error_output(message: str) -> str:
    return json.dumps({"error": message})


def _serialize(result: Any) -> str:
    if isinstance(result, str):
        return result
    try:
        return pydantic_core.to_json(result).decode()
    except pydantic_core.PydanticSerializationError:
        return json.dumps(str(result))


class Tool:
    """One registered function: its schema, and a safe way to call it.

    Attributes:
        name: the function name the model sees.
        description: from the docstring (or given).
        function: the Python callable.
        arguments_model: the pydantic model validating the arguments.
        timeout: seconds after which a call is abandoned (``None``: no limit).
    """

    def __init__(
        self,
        function: Callable[..., Any],
        *,
        name: str | None = None,
        description: str | None = None,
        timeout: float | None = None,
    ) -> None:
        self.function = function
        self.name = name or function.__name__
        doc_description, param_docs = _parse_docstring(inspect.getdoc(function))
        self.description = description if description is not None else doc_description
        self.timeout = timeout
        self._is_async = inspect.iscoroutinefunction(function)
        signature = inspect.signature(function)
        hints = typing.get_type_hints(function, include_extras=True)
        fields: dict[str, Any] = {}
        for parameter in signature.parameters.values():
            if parameter.kind in (
                inspect.Parameter.VAR_POSITIONAL,
                inspect.Parameter.VAR_KEYWORD,
                inspect.Parameter.POSITIONAL_ONLY,
            ):
                raise TypeError(
                    f"tool {self.name!r}: parameter {parameter.name!r} must be a plain or "
                    "keyword-only parameter (no *args, **kwargs or positional-only)"
                )
            annotation = hints.get(parameter.name, Any)
            doc = param_docs.get(parameter.name)
            if doc and not _has_description(annotation):
                annotation = Annotated[annotation, Field(description=doc)]
            default = ... if parameter.default is inspect.Parameter.empty else parameter.default
            fields[parameter.name] = (annotation, default)
        self._parameters = tuple(fields)
        self.arguments_model: type[BaseModel] = create_model(
            f"{self.name}_arguments",
            __config__=ConfigDict(extra="forbid"),
            **fields,
        )

    def __repr__(self) -> str:
        return f"<Tool {self.name}>"

    def parameters_schema(self) -> dict[str, Any]:
        """The JSON schema of the arguments (titles removed)."""
        schema = self.arguments_model.model_json_schema()
        schema.pop("title", None)
        for prop in schema.get("properties", {}).values():
            if isinstance(prop, dict):
                prop.pop("title", None)
        return schema

    def definition(self) -> FunctionTool:
        """The :class:`~voicelive.models.FunctionTool` for the session's ``tools``."""
        return FunctionTool(
            name=self.name,
            description=self.description or None,
            parameters=self.parameters_schema(),
        )

    async def invoke(self, arguments: str | Mapping[str, Any]) -> tuple[str, bool]:
        """Validate ``arguments`` (JSON text or a mapping) and call the function.

        Returns:
            ``(output, ok)``: the output text for ``function_call_output`` and whether the
            call succeeded. Never raises for a bad argument or a failing tool: the output is
            then ``{"error": "..."}``.
        """
        try:
            if isinstance(arguments, str):
                parsed = self.arguments_model.model_validate_json(arguments or "{}")
            else:
                parsed = self.arguments_model.model_validate(arguments)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in error['loc']) or 'arguments'}: {error['msg']}"
                for error in exc.errors(include_url=False)
            )
            return _error_output(f"invalid arguments for {self.name}: {problems}"), False
        kwargs = {name: getattr(parsed, name) for name in self._parameters}
        try:
            call: Awaitable[Any]
            if self._is_async:
                call = self.function(**kwargs)
            else:
                call = asyncio.to_thread(self.function, **kwargs)
            result = await asyncio.wait_for(call, self.timeout) if self.timeout else await call
        except asyncio.TimeoutError:
            return _error_output(f"{self.name} timed out after {self.timeout} s"), False
        except Exception as exc:
            _log.warning("tool %s raised %s: %s", self.name, type(exc).__name__, exc)
            return _error_output(f"{type(exc).__name__}: {exc}"), False
        return _serialize(result), True


class ToolRegistry:
    """A set of Python functions offered to the model as ``function`` tools."""

    def __init__(self) -> None:
        self._tools: dict[str, Tool] = {}

    def __repr__(self) -> str:
        return f"<ToolRegistry {sorted(self._tools)}>"

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def __len__(self) -> int:
        return len(self._tools)

    def __iter__(self) -> Iterator[Tool]:
        return iter(list(self._tools.values()))

    def get(self, name: str) -> Tool | None:
        """The tool called ``name``, if registered."""
        return self._tools.get(name)

    @overload
    def tool(self, function: _F) -> _F: ...

    @overload
    def tool(
        self,
        *,
        name: str | None = None,
        description: str | None = None,
        timeout: float | None = None,
    ) -> Callable[[_F], _F]: ...

    def tool(
        self,
        function: Callable[..., Any] | None = None,
        *,
        name: str | None = None,
        description: str | None = None,
        timeout: float | None = None,
    ) -> Any:
        """Register a function (decorator, with or without arguments); returns it unchanged."""

        def register(fn: _F) -> _F:
            self.add(fn, name=name, description=description, timeout=timeout)
            return fn

        return register if function is None else register(function)

    def add(
        self,
        function: Callable[..., Any],
        *,
        name: str | None = None,
        description: str | None = None,
        timeout: float | None = None,
    ) -> Tool:
        """Register ``function`` (sync or async) and return its :class:`Tool`.

        Raises:
            ValueError: a tool with that name is already registered.
            TypeError: the signature cannot be described (``*args``, ``**kwargs``).
        """
        tool = Tool(function, name=name, description=description, timeout=timeout)
        if tool.name in self._tools:
            raise ValueError(f"a tool named {tool.name!r} is already registered")
        self._tools[tool.name] = tool
        return tool

    def definitions(self) -> list[FunctionTool]:
        """The :class:`~voicelive.models.FunctionTool` of every registered tool."""
        return [tool.definition() for tool in self._tools.values()]

    def add_to(self, session: RequestSession | Mapping[str, Any] | None = None) -> RequestSession:
        """A copy of ``session`` whose ``tools`` also hold these tools.

        Tools already in ``session`` are kept, except functions with the same name, which
        are replaced.
        """
        base = (
            session.model_copy(deep=True)
            if isinstance(session, RequestSession)
            else RequestSession.model_validate(dict(session or {}))
        )
        kept = [tool for tool in base.tools or [] if getattr(tool, "name", None) not in self._tools]
        base.tools = [*kept, *self.definitions()]
        return base

    async def call(self, name: str, arguments: str | Mapping[str, Any]) -> str:
        """Call tool ``name``; returns the output text (``{"error": ...}`` on any failure)."""
        tool = self._tools.get(name)
        if tool is None:
            return _error_output(f"unknown tool {name!r}")
        output, _ = await tool.invoke(arguments)
        return output


@dataclass(frozen=True)
class ToolCallRecord:
    """One call answered by a :class:`ToolRunner` (its ``history``).

    Attributes:
        name, call_id, arguments: from ``response.function_call_arguments.done``.
        output: the ``function_call_output`` text sent.
        ok: False when the output describes an error.
        response_id: the response that made the call.
        seconds: how long the function ran.
    """

    name: str
    call_id: str
    arguments: str
    output: str
    ok: bool
    response_id: str
    seconds: float


@dataclass
class _Pending:
    event: ServerEventResponseFunctionCallArgumentsDone
    task: asyncio.Task[ToolCallRecord]


@dataclass
class _ResponseCalls:
    calls: list[_Pending] = field(default_factory=list)


class ToolRunner:
    """Answers the model's function calls with a :class:`ToolRegistry`.

    Args:
        registry: the tools.
        conn: connection to observe and send on (or call :meth:`attach`).
        guard: send the follow-up ``response.create`` through this guard.
        respond: send ``response.create`` after the outputs (default True).
        handle_unknown: answer calls of functions not in the registry with an error output
            (default True); False leaves them to the app.
        history_size: how many :class:`ToolCallRecord` to keep in :attr:`history`.
    """

    def __init__(
        self,
        registry: ToolRegistry,
        conn: ConnectionLike | None = None,
        *,
        guard: ResponseGuard | None = None,
        respond: bool = True,
        handle_unknown: bool = True,
        history_size: int = 100,
    ) -> None:
        self.registry = registry
        self.guard = guard
        self.respond = respond
        self.handle_unknown = handle_unknown
        self.history: deque[ToolCallRecord] = deque(maxlen=history_size)
        self._conn: ConnectionLike | None = None
        self._responses: dict[str, _ResponseCalls] = {}
        # call_id -> function name, from the function_call items of response.output_item.*:
        # response.function_call_arguments.done may leave ``name`` out.
        self._call_names: dict[str, str] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        if conn is not None:
            self.attach(conn)

    def __repr__(self) -> str:
        return f"<ToolRunner tools={len(self.registry)} pending={len(self._responses)}>"

    def attach(self, conn: ConnectionLike) -> ToolRunner:
        """Observe every event ``conn`` reads and answer calls on it; returns self.

        On a :class:`~voicelive.conversation.ResilientConnection`, calls of a response cut off
        by a reconnect are abandoned (that response no longer exists).
        """
        self._conn = conn
        conn.add_event_observer(self.observe)
        callbacks = getattr(conn, "on_reconnect", None)
        if isinstance(callbacks, list):
            callbacks.append(lambda _notice: self.reset())
        return self

    def observe(self, event: ServerEvent) -> None:
        """Start a call on ``function_call_arguments.done``; answer on ``response.done``."""
        if event.type in ("response.output_item.added", "response.output_item.done"):
            item = event.item
            if isinstance(item, ResponseFunctionCallItem) and item.call_id and item.name:
                self._call_names[item.call_id] = item.name
        elif event.type == "response.function_call_arguments.done":
            name = event.name or self._call_names.get(event.call_id) or ""
            self._call_names.pop(event.call_id, None)
            if name not in self.registry and not self.handle_unknown:
                return
            calls = self._responses.setdefault(event.response_id, _ResponseCalls())
            task = asyncio.get_running_loop().create_task(self._run(event, name))
            calls.calls.append(_Pending(event, task))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        elif event.type == "response.done":
            response = event.response
            if response is None and len(self._responses) == 1:
                # No response object in the frame: it can only be the one with pending calls.
                response_id = next(iter(self._responses))
            else:
                response_id = (response.id if response is not None else None) or ""
            pending = self._responses.pop(response_id, None)
            if pending is not None:
                raw_status = response.status if response is not None else "completed"
                status = str(getattr(raw_status, "value", raw_status))
                finish = asyncio.get_running_loop().create_task(
                    self._finish(pending, completed=status == "completed")
                )
                self._tasks.add(finish)
                finish.add_done_callback(self._tasks.discard)

    async def _run(
        self, event: ServerEventResponseFunctionCallArgumentsDone, name: str
    ) -> ToolCallRecord:
        started = time.perf_counter()
        tool = self.registry.get(name)
        if tool is None:
            output, ok = _error_output(f"unknown tool {name!r}"), False
        else:
            output, ok = await tool.invoke(event.arguments)
        return ToolCallRecord(
            name=name,
            call_id=event.call_id,
            arguments=event.arguments,
            output=output,
            ok=ok,
            response_id=event.response_id,
            seconds=time.perf_counter() - started,
        )

    async def _finish(self, pending: _ResponseCalls, *, completed: bool) -> None:
        conn = self._conn
        assert conn is not None
        try:
            records = await asyncio.gather(*(call.task for call in pending.calls))
            for record in records:
                self.history.append(record)
                item = FunctionCallOutputItem(call_id=record.call_id, output=record.output)
                await conn.send(ClientEventConversationItemCreate(item=item))
            if not (self.respond and completed):
                return
            if self.guard is not None:
                await self.guard.create()
            else:
                await conn.send(ClientEventResponseCreate())
        except asyncio.CancelledError:
            raise
        except Exception:
            _log.exception("could not send tool outputs / response.create")

    def reset(self) -> None:
        """Abandon the calls of responses that have not finished (e.g. after a reconnect)."""
        for pending in self._responses.values():
            for call in pending.calls:
                call.task.cancel()
        self._responses.clear()
        self._call_names.clear()

    @property
    def busy(self) -> bool:
        """True while calls run or outputs are being sent."""
        return bool(self._tasks)

    async def wait_idle(self, timeout: float | None = None) -> None:
        """Wait until every started call has been answered (for tests and shutdown)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._tasks:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            done, _ = await asyncio.wait(set(self._tasks), timeout=remaining)
            if deadline is not None and time.monotonic() >= deadline and self._tasks:
                raise TimeoutError("tool calls still running")
            del done

    async def aclose(self) -> None:
        """Cancel everything still running."""
        self.reset()
        tasks = set(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
