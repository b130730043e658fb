"""Errors about what a user gave mobsim: a file, a key in it, a command-line option.

Every such error names where the bad input came from (``source``: a file, or an option such as
``--seed``), which key or part of it (``key``, may be empty) and what was expected (``message``).
The ``mobsim`` command prints any of them as one line and exits with code 2 (``sim.cli.main``).

- ``InputError``: the base class; catch it to handle every bad input at once.
- ``ScenarioError``: a scenario or experiment file, a ``--set`` override, a demand CSV
  (the name users have caught since the first release; also re-exported by ``sim.scenario`` and ``sim``).
- ``OptionError``: a command-line option's value (``--workers``, ``--seed``, ``--out``, ...).

``sim.store.FolderError`` is separate: it is about the state of a folder on disk, not about input.
"""

from __future__ import annotations

from pathlib import Path


class InputError(ValueError):
    """Bad input: names the source (a file or an option), the key and what was expected."""

    def __init__(self, source: str | Path, key: str, message: str) -> None:
        self.source = str(source)
        self.key = key
        self.message = message
        where = f"{self.source}: {key}" if key else self.source
        super().__init__(f"{where}: {message}")

    def __reduce__(self) -> tuple[type[InputError], tuple[str, str, str]]:
        # an error raised in a worker process travels back pickled; the default rebuilds it from the one formatted line
        return (type(self), (self.source, self.key, self.message))


class ScenarioError(InputError):
    """Bad scenario input: names the file, the key and what was expected."""


class OptionError(InputError):
    """A command-line option with an unusable value: ``source`` is the option (``--seed``), ``key`` its name or value."""
