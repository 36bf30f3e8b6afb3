"""Run the official azure-ai-voicelive unit tests against voicelive (``nox -s official-tests``).

Nothing of the official package is kept in this repository: at run time this script

1. downloads the official source distribution from the package index
   (``pip download --no-binary :all: --no-deps azure-ai-voicelive==<version>``),
2. unpacks it into a temporary directory,
3. copies its ``tests/unit`` and rewrites the import prefix ``azure.ai.voicelive`` ->
   ``voicelive`` (the port a user makes),
4. replaces its ``conftest.py`` (which needs Azure's internal test proxy) by a minimal one,
5. runs pytest on it with voicelive installed, and prints pass/fail/error counts plus every
   failure grouped by test module.

Every failure is either fixed in voicelive or listed as an intended difference in
docs/migration.md ("The official SDK's own unit tests"). The exit code is pytest's, so the
session fails while there are failures; ``--report`` always exits 0 (for collecting counts).

Usage: ``python tests/compat/run_official_tests.py [--version 1.3.1] [--report] [-- pytest args]``
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from pathlib import Path

DEFAULT_VERSION = "1.3.1"
PREFIX = re.compile(r"\bazure\.ai\.voicelive\b")

CONFTEST = '''"""Written by voicelive's run_official_tests.py in place of the official conftest."""

import pytest


def pytest_runtest_setup(item):
    if any(item.iter_markers(name="live_test_only")):
        pytest.skip("live test only")


def pytest_configure(config):
    config.addinivalue_line("markers", "live_test_only: needs the real service")
    config.addinivalue_line("markers", "playback_test_only: recorded tests")
'''

PYTEST_INI = """[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
"""


def _download(version: str, into: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-binary",
            ":all:",
            "--no-deps",
            f"azure-ai-voicelive=={version}",
            "-d",
            str(into),
        ],
        check=True,
    )
    (sdist,) = into.glob("azure_ai_voicelive-*.tar.gz")
    return sdist


def _unpack(sdist: Path, into: Path) -> Path:
    with tarfile.open(sdist) as archive:
        if hasattr(tarfile, "data_filter"):
            archive.extractall(into, filter="data")
        else:  # pragma: no cover - Python < 3.12 without the backported filter
            archive.extractall(into)  # the index's own sdist, into a temp dir
    (root,) = [p for p in into.iterdir() if p.is_dir()]
    return root


def _prepare(root: Path, work: Path) -> Path:
    """``work/tests/unit`` as in the sdist (some tests import ``tests.unit....``)."""
    suite = work / "tests" / "unit"
    shutil.copytree(root / "tests" / "unit", suite)
    (work / "tests" / "__init__.py").write_text("", encoding="utf-8")
    for path in suite.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        path.write_text(PREFIX.sub("voicelive", text), encoding="utf-8")
    (work / "tests" / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    (work / "pytest.ini").write_text(PYTEST_INI, encoding="utf-8")
    asset = root / "tests" / "asset"
    if asset.is_dir():
        shutil.copytree(asset, work / "tests" / "asset")
    return suite


def _summarise(junit: Path) -> tuple[Counter[str], dict[str, list[str]]]:
    counts: Counter[str] = Counter()
    failures: dict[str, list[str]] = defaultdict(list)
    for case in ET.parse(junit).getroot().iter("testcase"):
        name = f"{case.get('classname', '')}::{case.get('name', '')}"
        outcome = "passed"
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome = {"failure": "failed", "error": "error", "skipped": "skipped"}[child.tag]
                message = (child.get("message") or "").strip().splitlines()
                if outcome != "skipped":
                    failures[outcome].append(f"{name}: {message[0][:160] if message else ''}")
                break
        counts[outcome] += 1
    return counts, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default=DEFAULT_VERSION)
    parser.add_argument("--report", action="store_true", help="always exit 0")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("pytest_args", nargs="*")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="voicelive-official-tests-"))
    try:
        sdist = _download(args.version, work / "download")
        root = _unpack(sdist, work / "sdist")
        run_dir = work / "run"
        run_dir.mkdir()
        suite = _prepare(root, run_dir)
        junit = work / "junit.xml"
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                str(suite),
                "-q",
                "-p",
                "no:cacheprovider",
                "-p",
                "no:randomly",
                "--continue-on-collection-errors",
                f"--junitxml={junit}",
                "--rootdir",
                str(run_dir),
                "-c",
                str(run_dir / "pytest.ini"),
                *args.pytest_args,
            ],
            cwd=run_dir,
            check=False,
            capture_output=True,
            text=True,
        )
        if not junit.exists():
            print(result.stdout[-4000:], result.stderr[-4000:], sep="\n")
            return result.returncode or 1
        counts, failures = _summarise(junit)
        for outcome in ("failed", "error"):
            for line in sorted(failures[outcome]):
                print(f"{outcome.upper():6} {line}")
        print(
            f"azure-ai-voicelive {args.version} unit tests against voicelive: "
            f"{counts['passed']} passed, {counts['failed']} failed, {counts['error']} errors, "
            f"{counts['skipped']} skipped"
        )
        if args.report:
            return 0
        return result.returncode
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
