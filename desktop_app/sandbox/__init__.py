"""Local HTTP emulators of each platform's inventory API, for the demo store and the tests.

Shares no parsing or serialisation code with ``platforms/``: an emulator that reuses the
client's code cannot catch the client's bugs. Binds 127.0.0.1 only.
May import: core (catalogue models only), the standard library.
"""
