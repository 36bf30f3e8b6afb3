"""``install_as_azure_ai_voicelive()``: let code that imports the official SDK run on voicelive.

After the precedent of ``pymysql.install_as_MySQLdb()``. A finder at the front of
``sys.meta_path`` answers every ``azure.ai.voicelive[.<sub>]`` import with the module
``voicelive[.<sub>]`` itself (the same object, so ``azure.ai.voicelive.models.FunctionTool
is voicelive.models.FunctionTool``). ``azure`` is a namespace package shared with azure-core
and azure-identity: the finder answers nothing else there, and provides an empty
``azure.ai`` package only when no installed distribution provides one.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
from collections.abc import Sequence

__all__ = ["install_as_azure_ai_voicelive"]

_ALIAS = "azure.ai.voicelive"
_PARENT = "azure.ai"
_TARGET = "voicelive"


class _AliasLoader(importlib.abc.Loader):
    """Loads ``azure.ai.voicelive.X`` as the already imported ``voicelive.X``."""

    def __init__(self, target: str) -> None:
        self._target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return importlib.import_module(self._target)

    def exec_module(self, module: types.ModuleType) -> None:
        """Nothing to run: the module was executed when voicelive imported it."""


class _EmptyPackageLoader(importlib.abc.Loader):
    """An empty ``azure.ai`` package, when nothing installed provides one."""

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = types.ModuleType(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        """Nothing to run."""


class _VoiceLiveAliasFinder(importlib.abc.MetaPathFinder):
    """Answers ``azure.ai.voicelive[.*]`` (and ``azure.ai`` if nothing else does)."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: types.ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname == _PARENT:
            for finder in sys.meta_path:
                if finder is self or not hasattr(finder, "find_spec"):
                    continue
                if finder.find_spec(fullname, path, target) is not None:
                    return None  # azure-ai-* distributions provide it: leave it to them
            return importlib.machinery.ModuleSpec(fullname, _EmptyPackageLoader(), is_package=True)
        if fullname != _ALIAS and not fullname.startswith(_ALIAS + "."):
            return None
        real = _TARGET + fullname[len(_ALIAS) :]
        real_spec = importlib.util.find_spec(real)
        if real_spec is None:
            raise ModuleNotFoundError(
                f"{fullname!r} is not available: install_as_azure_ai_voicelive() maps it to "
                f"{real!r}, which voicelive does not have (it provides the official SDK's "
                "public modules only)",
                name=fullname,
            )
        return importlib.machinery.ModuleSpec(
            fullname,
            _AliasLoader(real),
            is_package=real_spec.submodule_search_locations is not None,
        )


def install_as_azure_ai_voicelive() -> None:
    """Make ``import azure.ai.voicelive...`` import voicelive instead of the official SDK.

    Call it once, before anything imports ``azure.ai.voicelive``, so that third-party code
    written for the official package (LiveKit's Azure plugin, for instance) runs on voicelive
    unchanged. Calling it again does nothing.

    Limits: only the official package's public modules are provided (``azure.ai.voicelive``,
    ``.aio``, ``.models``, ``.telemetry``); a private module (``azure.ai.voicelive._patch``)
    raises ``ModuleNotFoundError``. Behaviour is voicelive's, including its documented
    differences (docs/migration.md). It shadows the official package even when that is
    installed, for the whole process.

    Raises:
        RuntimeError: ``azure.ai.voicelive`` (the official package) is already imported;
            import order cannot be fixed after the fact, so call this first (e.g. at the top
            of your entry point).
    """
    if any(isinstance(f, _VoiceLiveAliasFinder) for f in sys.meta_path):
        return
    loaded = [name for name in sys.modules if name == _ALIAS or name.startswith(_ALIAS + ".")]
    if loaded:
        raise RuntimeError(
            f"{loaded[0]!r} is already imported (the official azure-ai-voicelive package); "
            "call voicelive.install_as_azure_ai_voicelive() before anything imports it"
        )
    sys.meta_path.insert(0, _VoiceLiveAliasFinder())
