"""The run: prepare (read → map → validate → resolve → fetch live levels → diff → plan),
submit chunks under rate limits with retries, journal, resume and undo. Qt-free.
May import: core, sheets, platforms (via the Connector protocol), the standard library.
"""
