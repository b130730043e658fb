"""tools/calibrate.py: every target of the ABC is a figure the simulated year gives (pyabc itself is not needed)."""

from __future__ import annotations

import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import calibrate  # noqa: E402

from sim.validation import load_runs_scenarios, simulate  # noqa: E402


def test_every_target_is_computed_by_the_year_run_and_a_good_fit_can_reach_the_stop():
    """A target the year run cannot compute (NaN) counts as a deviation of 10 in every distance: the supply's stock
    patterns (issue #17) did, which put a floor of 5.0 under the distance and made ``--min-distance`` unreachable."""
    keys = [p.key for p in calibrate.TARGETS]
    assert "stockholm_crisis_start" in keys and "sick_region_2020" in keys
    values = simulate(load_runs_scenarios(scale=0.02)["year"], 3, keys)
    assert all(math.isfinite(values[k]) for k in keys), values
    observed = {k: calibrate.BY_KEY[k].observed for k in keys}
    assert calibrate.distance(observed, observed) == 0.0
    assert calibrate.distance(values, observed) < 10.0


def test_a_trial_fit_into_another_folder_leaves_the_committed_summary_alone(tmp_path):
    assert calibrate.summary_path(calibrate.OUT, None) == calibrate.SUMMARY
    assert calibrate.summary_path(tmp_path, None) is None
    assert calibrate.summary_path(tmp_path, tmp_path / "s.csv") == tmp_path / "s.csv"


def test_a_fit_replaces_only_its_own_database(tmp_path, capsys, monkeypatch):
    """A file named abc.db that no fit created is refused before anything starts (exit 2) and left alone; a fit's own
    database (the mark beside it names it) is replaced; a file put in its place later is not."""
    import sim.executor

    def no_pool(workers):  # were the check gone, the test would fail here instead of running a fit
        raise AssertionError("the fit started")

    monkeypatch.setattr(sim.executor, "process_pool", no_pool)
    (tmp_path / "abc.db").write_text("someone else's")
    assert calibrate.main(["--out", str(tmp_path)]) == 2
    assert "abc.db exists and is not a database a fit of tools/calibrate.py created" in capsys.readouterr().err
    assert (tmp_path / "abc.db").read_text() == "someone else's"

    mine = tmp_path / "mine"
    db = calibrate.fresh_database(mine)
    db.write_text("an earlier fit")  # (pyabc creates it)
    calibrate.mark_database(db)
    assert calibrate.database_problem(mine) is None
    assert calibrate.fresh_database(mine) == db and not db.exists()  # removed for the new fit, with its mark
    db.write_text("a file put there since")  # the mark is gone with the fit's database: this one is not replaced
    assert "not a database a fit" in calibrate.database_problem(mine)
    assert calibrate.database_problem(tmp_path / "empty") is None


def test_a_folder_or_a_file_where_the_database_goes_is_a_clear_error(tmp_path):
    (tmp_path / "abc.db").mkdir()
    assert calibrate.database_problem(tmp_path) == f"{tmp_path / 'abc.db'} is a folder; choose another --out, or move it"
    (tmp_path / "file").write_text("")
    assert calibrate.database_problem(tmp_path / "file") == f"--out {tmp_path / 'file'} is not a folder"


def test_the_default_folder_is_the_tools_own(monkeypatch, tmp_path):
    monkeypatch.setattr(calibrate, "OUT", tmp_path)
    (tmp_path / "abc.db").write_text("a fit's from before the mark")
    assert calibrate.database_problem(tmp_path) is None
