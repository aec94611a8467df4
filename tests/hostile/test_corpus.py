"""Every hostile input ends in a clear sentence naming the file (and the row and column where one
applies) or reads cleanly — never a traceback, a hang or unbounded memory (see conftest)."""
from __future__ import annotations

import pytest

from cases import CASES, SECRET, Case
from generators import GOAL_MB


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input_is_handled_cleanly(hostile, case: Case):
    answer = hostile(case)
    text = repr(answer)
    assert SECRET not in text, "an external entity was resolved"
    assert answer["peak_mb"] < GOAL_MB, f"{case.name} took {answer['peak_mb']:.0f} MB"
    if case.expect is not None:
        assert answer["outcome"] == "refused", answer
        message = answer["message"]
        for part in case.expect:
            assert part in message, (part, message)
        assert message.rstrip().endswith((".", ")")) and "\n" not in message
        return
    if answer["outcome"] == "refused":  # allowed for odd files, as long as it is a sentence naming the file
        assert any(name in answer["message"] for name in ("stock.", "wide.", "long.")), answer
        return
    for part in case.issues:
        assert any(part in issue for issue in answer["issues"]), (part, answer["issues"])
    if case.first is not None:
        assert tuple(answer["first"][:len(case.first)]) == case.first, answer
