"""The public surface: every ``__all__`` name exists, and the seed's names are where ported code looks."""

from __future__ import annotations

import importlib

import pytest

PUBLIC_MODULES = [
    "voicelive",
    "voicelive.aio",
    "voicelive.models",
    "voicelive.exceptions",
    "voicelive.testing",
    "voicelive.audio",
]


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_all_names_exist_and_are_sorted_unique(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert len(exported) == len(set(exported)), "duplicate names in __all__"
    missing = [item for item in exported if not hasattr(module, item)]
    assert missing == []


def test_official_sdk_names_are_importable() -> None:
    from voicelive.aio import (  # noqa: F401
        ConnectionClosed,
        ConnectionError,
        ConversationItemResource,
        ConversationResource,
        InputAudioBufferResource,
        OutputAudioBufferResource,
        ResponseResource,
        SessionResource,
        TranscriptionSessionResource,
        VoiceLiveConnection,
        WebsocketConnectionOptions,
        connect,
    )
    from voicelive.models import (  # noqa: F401
        AzureStandardVoice,
        ClientEventSessionUpdate,
        FunctionTool,
        InputAudioFormat,
        Modality,
        RequestSession,
        ServerEventResponseAudioDelta,
        ServerEventType,
        ServerVad,
    )


def test_version_and_private_types_path_of_the_official_sdk() -> None:
    import voicelive
    from voicelive import _types
    from voicelive._types import InterimResponseConfig, ToolChoice, Voice
    from voicelive.models import InterimResponseConfig as models_interim
    from voicelive.models import LlmInterimResponseConfig, StaticInterimResponseConfig

    assert voicelive.__version__ == voicelive.VERSION
    assert "VERSION" in voicelive.__all__
    assert sorted(_types.__all__) == ["InterimResponseConfig", "ToolChoice", "Voice"]
    assert InterimResponseConfig is models_interim
    # the aliases validate like the official unions: the config kinds, voices, tool choices
    from pydantic import TypeAdapter

    config = TypeAdapter(InterimResponseConfig).validate_python(
        {"type": "static_interim_response", "texts": ["One moment."]}
    )
    assert isinstance(config, StaticInterimResponseConfig)
    assert isinstance(
        TypeAdapter(InterimResponseConfig).validate_python({"type": "llm_interim_response"}),
        LlmInterimResponseConfig,
    )
    assert TypeAdapter(Voice).validate_python("alloy") == "alloy"
    assert TypeAdapter(ToolChoice).validate_python("auto") == "auto"


def test_exception_tree_roots_at_azure_error() -> None:
    from azure.core.exceptions import AzureError

    import voicelive
    from voicelive import aio

    assert issubclass(voicelive.VoiceLiveError, AzureError)
    assert aio.ConnectionError is voicelive.ConnectionError
    assert issubclass(aio.ConnectionClosed, aio.ConnectionError)
    assert issubclass(voicelive.ConnectionClosedOK, aio.ConnectionClosed)
    assert issubclass(voicelive.LocalProtocolError, ValueError)
    assert issubclass(voicelive.WaitTimeoutError, TimeoutError)
    error = aio.ConnectionClosed(1011, "server error")
    assert (error.code, error.reason) == (1011, "server error")
    assert "1011" in str(error)
