"""Helpers shared by the test modules."""

from __future__ import annotations


def one_error_line(err: str) -> str:
    """The single ``mobsim: error:`` line of a bad-input run's stderr (no traceback, nothing else)."""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("mobsim: error: ")
    return lines[0]
