"""Function calling: the model asks for a tool, we run it and send the result back.

    python examples/function_calling.py

The loop: ``response.function_call_arguments.done`` gives the call; after ``response.done``
we add a ``function_call_output`` item per call and ask for a new response, which uses the
results. On the emulator, a stand-in for the model makes the call (the real model decides by
itself on Azure).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from voicelive.aio import connect
from voicelive.testing import FunctionCall, Reply, ResponseContext

from _common import MODEL, voice_live


def get_weather(city: str, unit: str = "celsius") -> dict[str, Any]:
    """Our tool (a real app would call a weather service)."""
    return {
        "city": city,
        "temperature": 18 if unit == "celsius" else 64,
        "unit": unit,
        "sky": "sunny",
    }


TOOLS: dict[str, Any] = {"get_weather": get_weather}
SESSION = {
    "modalities": ["text"],
    "instructions": "Use the get_weather tool for any weather question.",
    "tools": [
        {
            "type": "function",
            "name": "get_weather",
            "description": "Current weather for a city.",
            "parameters": {
                "type": "object",
                "properties": {
                    "city": {"type": "string", "description": "City name"},
                    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                },
                "required": ["city"],
            },
        }
    ],
    "tool_choice": "auto",
}


def stand_in_model(context: ResponseContext) -> Reply:
    """Emulator only: call get_weather first, then answer from its output."""
    if context.last_item is not None and context.last_item.get("type") == "function_call_output":
        return Reply(text=f"Here is what I found: {context.last_item['output']}")
    return Reply(function_call=FunctionCall("get_weather", {"city": "Seattle"}))


async def main() -> None:
    async with voice_live(responder=stand_in_model) as (endpoint, credential):
        async with connect(endpoint=endpoint, credential=credential, model=MODEL) as conn:
            await conn.session.update(session=SESSION)
            await conn.conversation.item.create(
                item={
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": "What's the weather in Seattle?"}],
                }
            )
            await conn.response.create()
            outputs: list[dict[str, Any]] = []
            async for event in conn:
                if event.type == "response.function_call_arguments.done":
                    arguments = json.loads(event.arguments)
                    print(f"tool call: {event.name}({arguments})")
                    result = TOOLS[event.name](**arguments)
                    outputs.append(
                        {
                            "type": "function_call_output",
                            "call_id": event.call_id,
                            "output": json.dumps(result),
                        }
                    )
                elif event.type == "response.text.delta":
                    print(event.delta, end="", flush=True)
                elif event.type == "error":
                    raise SystemExit(f"error: {event.error.message}")
                elif event.type == "response.done":
                    if not outputs:  # a response without tool calls: the final answer
                        print()
                        break
                    for item in outputs:  # send every result, then let the model answer
                        await conn.conversation.item.create(item=item)
                    outputs.clear()
                    await conn.response.create()


if __name__ == "__main__":
    asyncio.run(main())
