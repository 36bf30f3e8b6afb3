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
