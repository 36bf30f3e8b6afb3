"""Example cassettes that ship with voicelive, recorded from the emulator.

Each name is the :class:`~pathlib.Path` of a cassette file inside the installed package:

* :data:`text_turn` -- a text turn: ``session.update`` (text only, "Be brief."), the user item
  "Hello!", ``response.create``; the reply is "You said: Hello!".
* :data:`function_call` -- a function call (``get_weather``) and its output, then the answer.
* :data:`audio_vad_interruption` -- server VAD, barge-in cancelling a response, truncate.

Use them with :meth:`voicelive.testing.MockServer.replay` or the pytest marker
``@pytest.mark.voicelive_cassette(cassettes.text_turn)``; the marker also takes the dotted
name as a string, ``"voicelive.testing.cassettes.text_turn"``. :func:`path` looks a name up.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "DIRECTORY",
    "NAMES",
    "PREFIX",
    "audio_vad_interruption",
    "function_call",
    "path",
    "text_turn",
]

DIRECTORY = Path(__file__).resolve().parent
"""The directory holding the packaged cassettes."""
PREFIX = "voicelive.testing.cassettes."
"""The dotted prefix of a packaged cassette's name."""

text_turn = DIRECTORY / "text_turn.jsonl"
"""A text turn answered "You said: Hello!"."""
function_call = DIRECTORY / "function_call.jsonl"
"""A ``get_weather`` function call, its output, then the answer."""
audio_vad_interruption = DIRECTORY / "audio_vad_interruption.jsonl"
"""Server VAD, a barge-in that cancels the response, then ``conversation.item.truncate``."""

NAMES = ("audio_vad_interruption", "function_call", "text_turn")
"""The names of the packaged cassettes."""


def path(name: str) -> Path:
    """The file of a packaged cassette: ``"text_turn"``, ``"text_turn.jsonl"`` or
    ``"voicelive.testing.cassettes.text_turn"``.

    Raises:
        FileNotFoundError: no packaged cassette has that name (the message lists them).
    """
    short = name.removeprefix(PREFIX).removesuffix(".jsonl")
    if short not in NAMES:
        raise FileNotFoundError(
            f"no packaged cassette named {name!r}; voicelive ships {', '.join(NAMES)} "
            f"(in {DIRECTORY})"
        )
    return DIRECTORY / f"{short}.jsonl"
