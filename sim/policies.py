"""Moved: the levers live in ``sim.levers``, one module each (issue #12). Kept so that old imports work.

``sim.policies.ORDER`` is ``sim.levers.LEVERS`` as (name, class) pairs; ``Lever.apply`` is now ``Lever.act``
and levers take their configuration in ``__init__`` and the model in ``setup``.
"""

from __future__ import annotations

from sim.levers import LEVERS, Lever, build_levers, level_index, lever_on
from sim.levers.base import rank_within as _rank_within
from sim.world import operations_per_day

ORDER = tuple((cls.name, cls) for cls in LEVERS)

__all__ = ["ORDER", "Lever", "_rank_within", "build_levers", "level_index", "lever_on", "operations_per_day"]
