"""The ``voicelive`` command line (console script ``voicelive``, also ``python -m voicelive``).

Commands: ``demo`` (a whole voice exchange with a live timeline, against the in-process
emulator unless ``AZURE_COGNITIVE_SERVICES_ENDPOINT`` is set), ``check``, ``mock-server``,
``record`` and ``replay``. Run ``voicelive COMMAND --help`` for options and examples.
"""

from ._app import build_parser, main

__all__ = ["build_parser", "main"]
