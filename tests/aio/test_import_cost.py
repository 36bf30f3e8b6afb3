"""``import voicelive.aio`` loads only what connecting and decoding need (fast start)."""

from __future__ import annotations

import json
import subprocess
import sys

NOT_AT_IMPORT = [
    "numpy",  # audio arrays: imported on first numpy audio use
    "aiohttp.web",  # server side (testing/, telephony/)
    "opentelemetry",
    "azure.identity",
    "voicelive.cli",
    "voicelive.testing",
    "voicelive.telemetry",
    "voicelive.audio._wire",
]


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport json, sys; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_import_voicelive_aio_does_not_load_heavy_optional_modules() -> None:
    loaded = _modules_after("import voicelive.aio")
    assert "aiohttp" in loaded  # the check itself works
    assert "voicelive.models" in loaded
    assert sorted(m for m in NOT_AT_IMPORT if m in loaded) == []


def test_audio_helpers_still_import_on_first_use() -> None:
    loaded = _modules_after(
        "import voicelive.audio as a\nassert a.PCM16_24K.sample_rate == 24000\n"
        "assert 'numpy' not in __import__('sys').modules\n"
        "from voicelive.audio import pcm16_to_array\nassert callable(pcm16_to_array)"
    )
    assert "numpy" in loaded
