"""Pure domain: models, column mapping, validation, identity resolution, diff, plan, results.

May import: the standard library and pydantic. Never PySide6, httpx, or anything that touches
files, sockets or the clock of a run (tests/test_layers.py enforces it).
"""
