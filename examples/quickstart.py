"""Quick start: ask a question in text and print the answer as it streams in.

python examples/quickstart.py
"""

from __future__ import annotations

import asyncio

from voicelive.aio import connect

from _common import MODEL, voice_live


async def main() -> None:
    async with voice_live() as (endpoint, credential):
        async with connect(endpoint=endpoint, credential=credential, model=MODEL) as conn:
            await conn.session.update(
                session={"modalities": ["text"], "instructions": "Answer in one sentence."}
            )
            await conn.conversation.item.create(
                item={
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": "What is the capital of France?"}],
                }
            )
            await conn.response.create()
            async for event in conn:
                if event.type == "response.text.delta":
                    print(event.delta, end="", flush=True)
                elif event.type == "error":
                    raise SystemExit(f"error: {event.error.message}")
                elif event.type == "response.done":
                    print()
                    break


if __name__ == "__main__":
    asyncio.run(main())
