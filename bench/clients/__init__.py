"""One module per benchmarked client; each runs as ``python -m clients.NAME ENDPOINT``
with ``bench/`` on ``PYTHONPATH`` (``run.py`` sets that up)."""
