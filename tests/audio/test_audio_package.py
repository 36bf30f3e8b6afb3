"""The package surface, the docs' code blocks and the benchmark script."""

from __future__ import annotations

import importlib
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import voicelive.audio as audio

ROOT = Path(__file__).resolve().parents[2]
SUBMODULES = ["_formats", "_convert", "_g711", "_resample", "_wav", "_framing", "_wire"]

# Names other parts of the project code against; renaming one is a breaking change.
REQUIRED = [
    "AudioFormat",
    "PCM16_24K",
    "PCM16_16K",
    "PCM16_8K",
    "G711_ULAW",
    "G711_ALAW",
    "AudioFormatError",
    "pcm16_to_array",
    "array_to_pcm16",
    "int16_to_float32",
    "float32_to_int16",
    "to_mono",
    "ulaw_encode",
    "ulaw_decode",
    "alaw_encode",
    "alaw_decode",
    "resample",
    "StreamingResampler",
    "read_wav",
    "load_wav_for_session",
    "write_wav",
    "frames",
    "paced_frames",
    "to_wire_audio",
    "encode_for_session",
    "decode_from_wire",
]


def test_required_names_are_exported() -> None:
    assert sorted(set(REQUIRED) - set(audio.__all__)) == []
    fmt = audio.AudioFormat("pcm16", 24000)
    for member in ("bytes_per_sample", "bytes_per_second", "bytes_to_ms", "ms_to_bytes"):
        assert hasattr(fmt, member)
    for member in ("from_input_session", "from_output_session"):
        assert inspect.ismethod(getattr(audio.AudioFormat, member))


@pytest.mark.parametrize("name", SUBMODULES)
def test_submodules_declare_all_and_package_reexports_it(name: str) -> None:
    module = importlib.import_module(f"voicelive.audio.{name}")
    assert module.__doc__
    for item in module.__all__:
        assert hasattr(module, item), item
        assert item in audio.__all__, f"{name}.{item} is not re-exported"
        assert getattr(audio, item) is getattr(module, item)


def test_every_public_name_has_a_docstring() -> None:
    undocumented = []
    for item in audio.__all__:
        obj = getattr(audio, item)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            if not inspect.getdoc(obj):
                undocumented.append(item)
            for attr, member in vars(obj).items() if inspect.isclass(obj) else ():
                if not attr.startswith("_") and callable(member) and not inspect.getdoc(member):
                    undocumented.append(f"{item}.{attr}")
    assert undocumented == []


def python_blocks() -> list[str]:
    text = (ROOT / "docs" / "audio.md").read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


def test_docs_have_code_blocks() -> None:
    assert len(python_blocks()) >= 6


@pytest.mark.parametrize("index", range(len(python_blocks())))
def test_docs_code_blocks_are_valid_and_run(index: int, tmp_path: Path) -> None:
    block = python_blocks()[index]
    code = compile(block, f"docs/audio.md[block {index}]", "exec")
    if "sounddevice" in block:
        return  # shown as text only: sounddevice is not a dependency
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        exec(code, {"__name__": "docs_audio"})  # runs the asserts in the examples
    finally:
        os.chdir(cwd)


def test_bench_quick_runs() -> None:
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
    )
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_audio.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "ulaw_encode" in result.stdout
    assert "24k -> 16k" in result.stdout
