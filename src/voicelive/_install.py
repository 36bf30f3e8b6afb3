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
import sys
import types
from collections.abc import Sequence

__all__ = ["install_as_azure_ai_voicelive"]

_ALIAS = "azure.ai.voicelive"
_PARENT = "azure.ai"


def _public_module(name: str) -> types.ModuleType:
    """The voicelive module standing in for the official package's public module ``name``.

    A fixed table of static imports (no import by computed name): these are the official
    package's public modules, and voicelive has each of them.
    """
    if name == _ALIAS:
        import voicelive

        return voicelive
    if name == _ALIAS + ".aio":
        from . import aio

        return aio
    if name == _ALIAS + ".models":
        from . import models

        return models
    if name == _ALIAS + ".telemetry":
        from . import telemetry

        return telemetry
    raise ModuleNotFoundError(
        f"{name!r} is not available: install_as_azure_ai_voicelive() provides the official "
        "package's public modules only (azure.ai.voicelive, .aio, .models, .telemetry)",
        name=name,
    )


_PUBLIC = frozenset({_ALIAS, _ALIAS + ".aio", _ALIAS + ".models", _ALIAS + ".telemetry"})


class _AliasLoader(importlib.abc.Loader):
    """Loads ``azure.ai.voicelive.X`` as the voicelive module ``voicelive.X``."""

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return _public_module(spec.name)

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
        if fullname not in _PUBLIC:
            _public_module(fullname)  # raises ModuleNotFoundError naming the module
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(), is_package=True)


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
