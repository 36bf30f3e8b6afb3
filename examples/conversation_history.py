"""Conversation history: a system message and earlier turns, then a new question.

    python examples/conversation_history.py

Items go in with ``conversation.item.create``: a system message (extra instructions at a
point of the conversation), earlier user and assistant turns restored from your own storage,
then the new question. ``previous_item_id="root"`` inserts an item at the very beginning.
``wait=True`` returns the item the service created (with its id).
"""

from __future__ import annotations

import asyncio

from voicelive.aio import connect
from voicelive.models import (
    AssistantMessageItem,
    InputTextContentPart,
    OutputTextContentPart,
    SystemMessageItem,
    UserMessageItem,
)

from _common import MODEL, voice_live

HISTORY = [
    UserMessageItem(content=[InputTextContentPart(text="My name is Ada and I live in Lisbon.")]),
    AssistantMessageItem(content=[OutputTextContentPart(text="Nice to meet you, Ada!")]),
]


async def main() -> None:
    async with voice_live() as (endpoint, credential):
        async with connect(endpoint=endpoint, credential=credential, model=MODEL) as conn:
            await conn.session.update(session={"modalities": ["text"]})
            for item in HISTORY:  # restore the earlier turns, in order
                await conn.conversation.item.create(item=item)
            system = await conn.conversation.item.create(
                item=SystemMessageItem(
                    content=[InputTextContentPart(text="Address the user by name. Be brief.")]
                ),
                previous_item_id="root",  # before everything else
                wait=True,
            )
            print(f"system message is item {system.id}")
            # Plain dicts work too; they are validated the same way.
            await conn.conversation.item.create(
                item={
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": "Which city do I live in?"}],
                }
            )
            await conn.response.create()
            async for event in conn:
                if event.type == "response.text.done":
                    print(f"assistant: {event.text}")
                elif event.type == "error":
                    raise SystemExit(f"error: {event.error.message}")
                elif event.type == "response.done":
                    break


if __name__ == "__main__":
    asyncio.run(main())
