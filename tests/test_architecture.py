"""The package's shape (issue #12): no import cycles inside ``sim``, and every lever in one module of the registry.

Imports are read by grimp from the source, late (function-level) imports included; imports under
``if TYPE_CHECKING:`` are left out, since they never run.
"""

from __future__ import annotations

import inspect

import grimp
import pytest

import sim
from sim import levers


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("sim", include_external_packages=False, exclude_type_checking_imports=True)


def test_no_import_cycle_inside_sim(graph):
    modules = sorted(graph.modules)
    cycles = [
        (a, b)
        for i, a in enumerate(modules)
        for b in modules[i + 1 :]
        if graph.chain_exists(importer=a, imported=b) and graph.chain_exists(importer=b, imported=a)
    ]
    assert not cycles, "import cycles: " + "; ".join(
        f"{a} <-> {b} via {graph.find_shortest_chain(importer=a, imported=b)}" for a, b in cycles
    )


def test_the_test_finds_a_cycle(tmp_path, monkeypatch):
    """The cycle check can fail: a package whose two modules import each other late is caught."""
    package = tmp_path / "cyclic"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from cyclic import b\n    return b\n")
    (package / "b.py").write_text("import cyclic.a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    g = grimp.build_graph("cyclic", include_external_packages=False, exclude_type_checking_imports=True)
    assert g.chain_exists(importer="cyclic.a", imported="cyclic.b") and g.chain_exists(importer="cyclic.b", imported="cyclic.a")


def test_the_numba_core_knows_nothing_of_mesa_nor_of_the_model(graph):
    imported = graph.find_modules_directly_imported_by("sim.kernels")
    assert imported <= {"sim.categories"}, imported
    assert "import mesa" not in inspect.getsource(sim.kernels)


def test_every_lever_is_one_module_and_no_other_module_names_it(graph):
    """A lever's class lives in its own module of sim/levers; outside sim/levers only the registry's users import them."""
    for cls in levers.LEVERS:
        module = cls.__module__
        assert module.startswith("sim.levers.") and module != "sim.levers.base", cls
        others = [c for c in levers.LEVERS if c is not cls and c.__module__ == module]
        assert not others, f"{module} holds more than one lever: {cls.__name__}, {[c.__name__ for c in others]}"
    lever_modules = {cls.__module__ for cls in levers.LEVERS}
    for module in graph.modules:
        if module.startswith("sim.levers") or module in {"sim.policies", "sim.agents"}:  # the package, and two re-exports for old imports
            continue
        named = graph.find_modules_directly_imported_by(module) & lever_modules
        assert not named, f"{module} imports lever modules {sorted(named)} directly; go through sim.levers"
