"""Telephony: a phone call through voicelive's phone bridge, with a barge-in.

    python examples/telephony.py [heard.wav]   # default: a file in the temporary directory

A fake Twilio caller dials a :class:`~voicelive.telephony.PhoneServer` (the app behind
``voicelive phone serve``) over real WebSockets: the signed voice webhook answers TwiML with
a one-time stream token, the caller's μ-law frames go to Voice Live untouched, the agent's
audio comes back in 20 ms frames with marks. After 0.6 s of the answer the caller
talks over the agent: the bridge clears the phone's queue and truncates the answer at what
the caller heard. What the caller heard is written as a μ-law WAV.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

from voicelive.aio import connect
from voicelive.audio import G711_ULAW, load_wav_for_session, write_wav
from voicelive.telephony import CallBridge, PhoneAgent, PhoneServer, PhoneServerConfig
from voicelive.testing import FakeTwilioCall

from _common import MODEL, output_path, sample_question_wav, voice_live

AUTH_TOKEN = "example-twilio-auth-token"  # Twilio's account auth token in a real deployment


def show_transcripts(call: CallBridge) -> None:
    """Print what the agent says (the bridge calls this when the call starts)."""

    def observe(event: Any) -> None:
        if event.type == "response.audio_transcript.done":
            print(f"agent: {event.transcript}")

    call.conn.add_event_observer(observe)


async def main(heard_path: Path) -> None:
    agent = PhoneAgent(
        instructions="You answer the phone for a bakery. Be brief.",
        on_call_start=show_transcripts,
    )
    async with voice_live() as (endpoint, credential):

        async def open_connection() -> Any:
            return await connect(endpoint=endpoint, credential=credential, model=MODEL)

        config = PhoneServerConfig(twilio_auth_token=AUTH_TOKEN)
        async with PhoneServer(agent, open_connection, config=config, port=0) as server:
            call = await FakeTwilioCall.dial(server.url, auth_token=AUTH_TOKEN)
            try:
                await call.say(load_wav_for_session(sample_question_wav(), G711_ULAW))
                await call.wait_queued(1000, timeout=30)  # the answer is arriving
                await call.play(600)  # the caller hears 0.6 s of it...
                await call.say("Sorry, one more thing.")  # ...then talks over the agent
                await call.wait_clears(1, timeout=30)
                bridge = server.calls[0]
                cut = bridge.interruptions[-1].truncation
                if cut is not None:
                    print(f"barge-in: answer truncated at {cut.audio_end_ms} ms")
                await call.wait_queued(500, timeout=30)  # the agent answers again
                await call.play(60_000)
                await call.hangup()
                (ended,) = await asyncio.wait_for(server.wait_ended(1), 30)
            finally:
                await call.close()
    print(f"call ended by {ended.by}: {ended.reason}")
    write_wav(heard_path, bytes(call.heard), G711_ULAW)  # μ-law WAV (format tag 7)
    print(f"the caller heard {call.heard_ms / 1000:.2f} s of μ-law -> {heard_path}")


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]) if len(sys.argv) > 1 else output_path("reply-ulaw.wav")))
