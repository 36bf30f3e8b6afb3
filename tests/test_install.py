"""install_as_azure_ai_voicelive(): each case runs in a fresh interpreter (it changes
sys.meta_path and sys.modules for the whole process)."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_official_module_paths_resolve_to_voicelive_modules() -> None:
    result = run(
        """
        import voicelive
        voicelive.install_as_azure_ai_voicelive()
        voicelive.install_as_azure_ai_voicelive()  # a second call does nothing

        import azure.ai.voicelive
        import azure.ai.voicelive.aio
        import voicelive.aio, voicelive.models, voicelive.telemetry
        from azure.ai.voicelive.aio import connect
        from azure.ai.voicelive.models import FunctionTool, ServerEventType
        from azure.ai.voicelive import telemetry

        assert azure.ai.voicelive is voicelive
        assert azure.ai.voicelive.aio is voicelive.aio
        assert connect is voicelive.aio.connect
        assert FunctionTool is voicelive.models.FunctionTool
        assert ServerEventType is voicelive.models.ServerEventType
        assert telemetry is voicelive.telemetry

        # the rest of the azure namespace is untouched
        import azure.core.credentials, azure.identity.aio
        assert azure.core.credentials.AzureKeyCredential.__module__ == "azure.core.credentials"
        assert azure.identity.aio.DefaultAzureCredential.__module__.startswith("azure.identity")
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_code_written_for_the_official_package_runs_against_the_emulator() -> None:
    result = run(
        """
        import asyncio
        import voicelive
        voicelive.install_as_azure_ai_voicelive()
        from azure.ai.voicelive.aio import connect
        from azure.ai.voicelive.models import RequestSession, Modality
        from azure.core.credentials import AzureKeyCredential
        from voicelive.testing import MockServer

        async def main() -> str:
            async with MockServer() as server:
                async with connect(endpoint=server.endpoint,
                                   credential=AzureKeyCredential("k"), model="m") as conn:
                    await conn.session.update(session=RequestSession(modalities=[Modality.TEXT]))
                    await conn.conversation.item.create(item={
                        "type": "message", "role": "user",
                        "content": [{"type": "input_text", "text": "hi"}]})
                    await conn.response.create()
                    text = ""
                    async for event in conn:
                        if event.type == "response.text.delta":
                            text += event.delta
                        elif event.type == "response.done":
                            return text
            return ""

        print(asyncio.run(asyncio.wait_for(main(), 20)))
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "You said: hi"


def test_refuses_when_the_official_package_is_already_imported() -> None:
    result = run(
        """
        import sys, types
        sys.modules["azure.ai.voicelive"] = types.ModuleType("azure.ai.voicelive")
        import voicelive
        try:
            voicelive.install_as_azure_ai_voicelive()
        except RuntimeError as exc:
            print(exc)
        else:
            print("installed")
        """
    )
    assert result.returncode == 0, result.stderr
    assert "already imported" in result.stdout
    assert "before anything imports it" in result.stdout


def test_a_private_module_of_the_official_package_is_a_clear_import_error() -> None:
    result = run(
        """
        import voicelive
        voicelive.install_as_azure_ai_voicelive()
        try:
            import azure.ai.voicelive._patch
        except ModuleNotFoundError as exc:
            print(exc.name, "|", exc)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("azure.ai.voicelive._patch |")
    assert "public modules only" in result.stdout


def test_without_the_call_nothing_is_aliased() -> None:
    result = run(
        """
        import voicelive
        try:
            import azure.ai.voicelive
        except ImportError:
            print("absent")
        else:
            print("official" if azure.ai.voicelive is not voicelive else "aliased")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() in ("absent", "official")
