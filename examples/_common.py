"""Where the examples connect: the built-in emulator, or Azure when it is configured.

Every example runs against voicelive's emulator (started in-process on 127.0.0.1: no account,
no network) unless ``AZURE_COGNITIVE_SERVICES_ENDPOINT`` is set. Then it talks to that
endpoint, with ``AZURE_COGNITIVE_SERVICES_KEY`` when set, else with
``DefaultAzureCredential`` (``az login``, managed identity, ...).
``AZURE_VOICELIVE_MODEL`` picks the model deployment (default ``gpt-realtime``).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from azure.core.credentials import AzureKeyCredential

from voicelive.testing import MockServer

MODEL = os.environ.get("AZURE_VOICELIVE_MODEL", "gpt-realtime")
EMULATOR_KEY = "emulator-key"
"""The key the examples use with the emulator (it accepts any, unless given ``api_key``)."""


def using_azure() -> bool:
    """True when AZURE_COGNITIVE_SERVICES_ENDPOINT is set."""
    return bool(os.environ.get("AZURE_COGNITIVE_SERVICES_ENDPOINT"))


@asynccontextmanager
async def voice_live(**emulator_options: Any) -> AsyncIterator[tuple[str, Any]]:
    """``(endpoint, credential)`` for ``connect()``: Azure if configured, else an emulator.

    ``emulator_options`` are :class:`~voicelive.testing.MockServer` arguments (a
    ``responder`` standing in for the model, ``faults``, ...); Azure ignores them.
    """
    endpoint = os.environ.get("AZURE_COGNITIVE_SERVICES_ENDPOINT")
    if endpoint:
        key = os.environ.get("AZURE_COGNITIVE_SERVICES_KEY")
        if key:
            yield endpoint, AzureKeyCredential(key)
            return
        from azure.identity.aio import DefaultAzureCredential

        async with DefaultAzureCredential() as credential:
            yield endpoint, credential
        return
    async with MockServer(**emulator_options) as server:
        print(f"(emulator at {server.endpoint}; set AZURE_COGNITIVE_SERVICES_ENDPOINT for Azure)")
        yield server.endpoint, AzureKeyCredential(EMULATOR_KEY)


def sample_question_wav() -> bytes:
    """A short spoken question that ships with voicelive (16 kHz mono WAV)."""
    return resources.files("voicelive.cli").joinpath("data/hello.wav").read_bytes()


def output_path(name: str) -> Path:
    """Where an example writes ``name`` when no path is given: a temporary directory.

    Never the current directory, so running an example from a clone leaves the tree clean.
    """
    folder = Path(tempfile.gettempdir()) / "voicelive-examples"
    folder.mkdir(exist_ok=True)
    return folder / name
