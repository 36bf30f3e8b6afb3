"""A ``--app`` module for the CLI tests."""

from __future__ import annotations

from voicelive.telephony import CallBridge, PhoneAgent

STARTED: list[str] = []


def _started(call: CallBridge) -> None:
    STARTED.append(call.info.provider)


def setup() -> PhoneAgent:
    """The agent."""
    return PhoneAgent(instructions="Bakery line.", on_call_start=_started)


NOT_AN_AGENT = 42
