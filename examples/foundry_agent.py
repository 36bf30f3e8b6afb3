"""Connect to a Microsoft Foundry agent instead of a model.

    AZURE_VOICELIVE_AGENT_NAME=my-agent AZURE_VOICELIVE_PROJECT_NAME=my-project \\
        python examples/foundry_agent.py

In agent mode you pass ``agent_name`` and ``project_name`` (both are required together) instead
of ``model``; the agent's own instructions, tools and knowledge apply. Optional:
``agent_version``, ``conversation_id`` (continue an agent conversation),
``authentication_identity_client_id`` and ``foundry_resource_override``. Agents need Microsoft
Entra ID authentication on Azure (leave AZURE_COGNITIVE_SERVICES_KEY unset).
"""

from __future__ import annotations

import asyncio
import os

from voicelive.aio import connect

from _common import voice_live

AGENT_NAME = os.environ.get("AZURE_VOICELIVE_AGENT_NAME", "weather-agent")
PROJECT_NAME = os.environ.get("AZURE_VOICELIVE_PROJECT_NAME", "demo-project")
AGENT_VERSION = os.environ.get("AZURE_VOICELIVE_AGENT_VERSION")  # None: the latest


async def main() -> None:
    async with voice_live() as (endpoint, credential):
        async with connect(
            endpoint=endpoint,
            credential=credential,
            agent_name=AGENT_NAME,
            project_name=PROJECT_NAME,
            agent_version=AGENT_VERSION,
        ) as conn:
            created = await conn.wait_for("session.created")
            print(f"session {created.session.id} with agent {AGENT_NAME!r} of {PROJECT_NAME!r}")
            # The agent brings its instructions; the session still sets voice and audio.
            await conn.session.update(
                session={
                    "modalities": ["text"],
                    "voice": {"type": "azure-standard", "name": "en-US-AvaNeural"},
                }
            )
            await conn.conversation.item.create(
                item={
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": "Hi! What can you do?"}],
                }
            )
            await conn.response.create()
            async for event in conn:
                if event.type == "response.text.done":
                    print(f"agent: {event.text}")
                elif event.type == "error":
                    raise SystemExit(f"error: {event.error.message}")
                elif event.type == "response.done":
                    break


if __name__ == "__main__":
    asyncio.run(main())
