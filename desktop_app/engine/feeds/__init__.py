"""Feeds: a supplier's or a warehouse's stock file applied by itself, safely, to one store or several.

``recipe``  the saved recipe (source, mapping, options, target stores, guards) and its state, under
            ``STOCKSHEET_HOME/feeds``; never a token.
``sources`` a folder (a file is taken once it stopped growing) or an https URL (only a changed file).
``runner``  one check of a feed: each new file goes through ``processing/`` to every store as a normal
            journalled run (resumable, undoable, verified), then to ``done/`` or ``failed/`` with
            its report beside it. Guards first: a tripped guard writes nothing anywhere.
``outcomes`` what a check did (per store, per file) and the report beside each file.
``lock``    one check of a feed at a time, across processes.
``service`` the window's facade.
``connect`` the connector of a target store, its secrets from the keyring or the environment.

A feed is a recipe that calls ``prepare`` and ``submit`` (through ``importer.apply_preview``), not a
second pipeline.
"""
from desktop_app.engine.feeds.recipe import Feed, FeedState, Target, feed_guards, load, load_state, names, remove, save
from desktop_app.engine.feeds.lock import FeedBusyError
from desktop_app.engine.feeds.outcomes import FeedRun, FileOutcome
from desktop_app.engine.feeds.runner import apply_anyway, run_feed

__all__ = ["Feed", "FeedState", "Target", "feed_guards", "load", "load_state", "names", "remove", "save",
           "run_feed", "apply_anyway", "FeedRun", "FileOutcome", "FeedBusyError"]
