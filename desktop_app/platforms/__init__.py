"""One connector per platform behind one protocol (``base.Connector``).

httpx lives here and nowhere above it. Connectors turn platform quirks (string ids, 64-bit ids,
adding "sets", movements instead of sets, JSON:API envelopes) into the core models, and
platform errors into ``core.errors`` exceptions with user-facing sentences.
May import: core, httpx, the standard library.
"""
