"""Nothing lost (issue #11): folders mobsim owns, crash-safe saves, reports that replace only reports.

Fault injection: a save is killed (``os._exit``, no clean-up runs) at each of its steps, with and
without the atomic folder swap; afterwards the folder holds the old or the new results, complete,
the user's files are intact, and the next save clears what the killed one left.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from filelock import FileLock
from helpers import one_error_line

from sim import store
from sim.cli import main
from sim.executor import stop_signals_held
from sim.store import FolderError, check_folder, save_folder

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "scenarios" / "sweden_spring2020.toml"
TINY = ["--set", "world.scale=0.02", "--set", "time.end=2020-03-12"]
STEPS = ("written", "manifest", "linked", "swapped", "cleaned")


def hashes(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` (hidden ones too) and the SHA-256 of its bytes; links by their target."""
    out = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_symlink():
            out[key] = "link:" + os.readlink(path)
        elif path.is_file():
            out[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def foreign_app(folder: Path) -> Path:
    """A web app's folder: it has a ``manifest.json`` too (web apps and browser extensions do)."""
    (folder / "src").mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({"name": "my app", "version": "1.0", "manifest_version": 3}))
    (folder / "src" / "app.js").write_text("console.log('hello')\n")
    (folder / "README.md").write_text("# my app\n")
    return folder


def run_cli(argv: list[str], capsys) -> tuple[int, str]:
    """Exit code and standard error of one command (what earlier commands printed is dropped first)."""
    capsys.readouterr()
    code = main(argv)
    return code, capsys.readouterr().err


# --------------------------------------------------------------------------- ownership


@pytest.mark.parametrize("command", ["run", "compare"])
def test_foreign_folder_with_a_manifest_is_refused_and_untouched(command, tmp_path, capsys):
    """Failure 1: `run`/`compare --out` emptied any folder that held a file named manifest.json."""
    app = foreign_app(tmp_path / "app")
    before = hashes(app)
    args = [str(BASE)] if command == "run" else [str(BASE), "--replications", "1"]
    code, err = run_cli([command, *args, *TINY, "--out", str(app), "--quiet"], capsys)
    assert code == 2
    line = one_error_line(err)
    assert "manifest.json that mobsim did not write" in line and str(app) in line
    assert hashes(app) == before


def test_sweep_store_is_not_replaced_by_a_run_nor_a_run_folder_by_a_sweep(tmp_path, capsys):
    """Failure 1: a sweep store was replaced by one `run` or one `compare` (the reverse was refused)."""
    experiment = tmp_path / "exp.toml"
    experiment.write_text(
        textwrap.dedent(f"""\
        name = "tiny"
        scenario = "{BASE}"
        replications = 1
        seed = 0
        set = {{ "world.scale" = 0.02, "time.end" = 2020-03-12 }}
        [[variants]]
        name = "base"
        """)
    )
    sweep_store = tmp_path / "store"
    assert main(["sweep", str(experiment), "--out", str(sweep_store), "--quiet"]) == 0
    capsys.readouterr()
    before = hashes(sweep_store)
    for command in (["run", str(BASE)], ["compare", str(BASE), "--replications", "1"]):
        code, err = run_cli([*command, *TINY, "--out", str(sweep_store), "--quiet"], capsys)
        assert code == 2 and "holds the results of a mobsim sweep" in one_error_line(err)
    assert hashes(sweep_store) == before
    run_folder = tmp_path / "run"
    assert main(["run", str(BASE), *TINY, "--out", str(run_folder), "--quiet"]) == 0
    capsys.readouterr()
    code, err = run_cli(["sweep", str(experiment), "--out", str(run_folder), "--quiet"], capsys)
    assert code == 2 and "holds the results of a mobsim run" in one_error_line(err)


def test_a_users_files_survive_a_rerun(tmp_path, capsys):
    """Failure 2: a rerun deleted everything else in the folder (figures, report.html, notes)."""
    out = tmp_path / "spring"
    assert main(["run", str(BASE), *TINY, "--out", str(out), "--quiet"]) == 0
    assert main(["report", str(out), "--figures", str(out / "figures")]) == 0
    (out / "notes.txt").write_text("what I saw\n")
    (out / "mine").mkdir()
    (out / "mine" / "table.csv").write_text("a,b\n1,2\n")
    capsys.readouterr()
    first = json.loads((out / "manifest.json").read_text())
    keep = {k: v for k, v in hashes(out).items() if k.split("/")[0] in {"figures", "report.html", "notes.txt", "mine"}}
    assert "report.html" in keep and "figures/manifest.json" in keep and "notes.txt" in keep

    assert main(["run", str(BASE), *TINY, "--seed", "5", "--out", str(out), "--quiet", "--csv"]) == 0
    after = hashes(out)
    assert {k: after.get(k) for k in keep} == keep  # every file of the user's, byte for byte
    second = json.loads((out / "manifest.json").read_text())
    assert first["seed"] == 0 and second["seed"] == 5
    assert "staff.csv" in second["files"] and "notes.txt" not in second["files"]
    assert not list(tmp_path.glob(".spring.mobsim-*"))


def test_a_users_file_with_the_name_of_a_result_is_refused_before_the_run(tmp_path, capsys):
    out = tmp_path / "spring"
    assert main(["run", str(BASE), *TINY, "--out", str(out), "--quiet"]) == 0
    (out / "staff.csv").write_text("my own table\n")
    before = hashes(out)
    code, err = run_cli(["run", str(BASE), *TINY, "--out", str(out), "--quiet", "--csv"], capsys)
    assert code == 2 and "holds 'staff.csv', which mobsim did not write" in one_error_line(err)
    assert hashes(out) == before


def test_out_as_a_symbolic_link_stays_a_link(tmp_path, capsys):
    """Failure 10: `--out` as a symlink was replaced by a folder."""
    real = tmp_path / "disk" / "results"
    real.mkdir(parents=True)
    link = tmp_path / "results"
    link.symlink_to(real)
    for _ in range(2):  # the second save replaces the first through the link
        assert main(["run", str(BASE), *TINY, "--out", str(link), "--quiet"]) == 0
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert (real / "summary.csv").is_file()


def test_results_written_before_ownership_are_recognised(tmp_path, capsys):
    """A folder from mobsim before issue #11 (manifest without written_by) can be saved again; the user's file stays."""
    out = tmp_path / "old"
    assert main(["run", str(BASE), *TINY, "--out", str(out), "--quiet", "--csv"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    for key in ("written_by", "kind"):
        del manifest[key]
    manifest["files"] = [f for f in manifest["files"] if f.endswith(".parquet") or f.startswith("summary")]  # the old list
    (out / "manifest.json").write_text(json.dumps(manifest))
    (out / "notes.txt").write_text("mine\n")
    assert main(["run", str(BASE), *TINY, "--out", str(out), "--quiet"]) == 0
    assert (out / "notes.txt").read_text() == "mine\n"
    assert not (out / "staff.csv").exists()  # the old --csv copies were mobsim's: replaced by this save's files


# --------------------------------------------------------------------------- crash safety


def _write(content: str):
    def write(folder: Path) -> None:
        for name in ("a.parquet", "b.parquet", "summary.csv"):
            (folder / name).write_text(f"{name} {content}\n")

    return write


def _results(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in folder.iterdir() if p.name != store.MANIFEST and p.is_file() and p.suffix != ".txt"}


CRASH = """
import os, sys
from pathlib import Path
from sim import store
step, fallback, target = sys.argv[1], sys.argv[2] == "1", Path(sys.argv[3])
def crash(name):
    if name == step:
        os._exit(9)  # like SIGKILL: no clean-up of any kind
store._step = crash
if fallback:
    def no_exchange(a, b):
        raise OSError(38, "renameat2 is not available")
    store._exchange = no_exchange
def write(folder):
    for name in ("a.parquet", "b.parquet", "summary.csv"):
        (folder / name).write_text(f"{name} new\\n")
store.save_folder(target, "run", write, {"seed": 2})
"""


@pytest.mark.parametrize(
    ("step", "fallback"),
    [(step, False) for step in STEPS] + [(step, True) for step in (*STEPS[:3], "moved-old", *STEPS[3:])],
    ids=lambda v: {False: "atomic-swap", True: "two-renames"}.get(v, v) if isinstance(v, bool) else v,
)
def test_a_save_killed_at_any_step_leaves_old_or_new_results_complete(step, fallback, tmp_path):
    """Failure 10: a crash between the two renames of a save left the results folder missing; hard kills left temp folders."""
    target = tmp_path / "results"
    save_folder(target, "run", _write("old"), {"seed": 1})
    (target / "notes.txt").write_text("mine\n")
    old = _results(target)
    done = subprocess.run([sys.executable, "-c", CRASH, step, "1" if fallback else "0", str(target)], cwd=ROOT, timeout=60)
    assert done.returncode == 9  # killed at that step

    store.recover(target)  # what the next save or report does first (a no-op unless the swap was not atomic)
    found = _results(target)
    new = {k: v.replace("old", "new") for k, v in old.items()}
    assert found in (old, new), f"mixed or missing results after a crash at {step}: {found}"
    manifest = json.loads((target / store.MANIFEST).read_text())
    assert manifest["seed"] == (1 if found == old else 2)  # the manifest belongs to the files beside it
    assert (target / "notes.txt").read_text() == "mine\n"

    save_folder(target, "run", _write("third"), {"seed": 3})  # the next save succeeds and clears the killed one's folders
    assert set(_results(target).values()) == {f"{n} third\n" for n in ("a.parquet", "b.parquet", "summary.csv")}
    assert (target / "notes.txt").read_text() == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results"]


def test_a_failing_write_leaves_the_old_results_and_no_staging(tmp_path):
    target = tmp_path / "results"
    save_folder(target, "run", _write("old"), {"seed": 1})
    before = hashes(target)

    def broken(folder: Path) -> None:
        (folder / "a.parquet").write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        save_folder(target, "run", broken, {"seed": 2})
    assert hashes(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results"]


def test_a_live_saves_staging_folder_is_not_removed(tmp_path):
    """Clearing strays removes only folders of saves whose process is gone."""
    target = tmp_path / "results"
    alive = tmp_path / f".results.mobsim-save-{os.getppid()}-abc"  # the test runner's parent is alive
    alive.mkdir()
    dead = tmp_path / ".results.mobsim-save-999999999-abc"
    dead.mkdir()
    (dead / "a.parquet").write_text("left by a killed save")
    save_folder(target, "run", _write("new"), {})
    assert alive.is_dir() and not dead.exists()


def test_check_folder_refusals(tmp_path):
    (tmp_path / "file").write_text("x")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "thesis.docx").write_text("x")
    cases = {
        tmp_path / "file": "not a folder",
        tmp_path / "other": "other files (no manifest.json)",
        tmp_path / ".x.mobsim-save-1-abc": "temporary folders",
    }
    for path, fragment in cases.items():
        with pytest.raises(FolderError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
            check_folder(path, "run")
    assert check_folder(tmp_path / "new" / "deeper", "run") == tmp_path / "new" / "deeper"


# --------------------------------------------------------------------------- reports


@pytest.mark.long
def test_report_out_never_overwrites_a_file_mobsim_did_not_write(tmp_path, capsys):
    """Failure 10: `report --out` overwrote any file, even the folder's own manifest.json."""
    out = tmp_path / "run"
    assert main(["run", str(BASE), *TINY, "--out", str(out), "--quiet"]) == 0
    (tmp_path / "essay.html").write_text("<html>my essay</html>")
    before = {**hashes(out), "essay": hashlib.sha256((tmp_path / "essay.html").read_bytes()).hexdigest()}
    for target in (out / "manifest.json", tmp_path / "essay.html", out):
        code, err = run_cli(["report", str(out), "--out", str(target)], capsys)
        assert code == 2 and "--out" in one_error_line(err)
    assert {**hashes(out), "essay": hashlib.sha256((tmp_path / "essay.html").read_bytes()).hexdigest()} == before
    for fmt in ("html", "pdf"):  # a report mobsim wrote is replaced by the next one
        for _ in range(2):
            assert main(["report", str(out), "--format", fmt, "--out", str(tmp_path / f"r.{fmt}")]) == 0


def test_report_figures_folder_is_owned(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", str(BASE), *TINY, "--out", str(out), "--quiet"]) == 0
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "chapter.md").write_text("# mine\n")
    code, err = run_cli(["report", str(out), "--figures", str(docs)], capsys)
    assert code == 2 and "--figures" in one_error_line(err)
    assert not (out / "report.html").exists()  # refused before anything was written
    assert (docs / "chapter.md").read_text() == "# mine\n" and len(list(docs.iterdir())) == 1


def test_report_when_no_indicator_differs(tmp_path, capsys):
    """Failure 4: `mobsim report` crashed (ValueError) on a comparison where no indicator differs."""
    strategies = ROOT / "scenarios" / "strategies"
    twin = tmp_path / "twin.toml"  # the same strategy under another name: nothing can differ
    twin.write_text(f'extends = "{(strategies / "regional_only.toml").as_posix()}"\nname = "regional_only_twin"\n')
    out = tmp_path / "same"
    argv = ["compare", str(strategies / "regional_only.toml"), str(twin)]
    assert main([*argv, "--replications", "2", *TINY, "--out", str(out), "--quiet"]) == 0
    comparison = pd.read_parquet(out / "comparison.parquet")
    assert (comparison["diff_mean"].dropna() == 0).all()  # the premise: nothing differs
    capsys.readouterr()
    assert main(["report", str(out)]) == 0
    assert "all paired differences are 0" in (out / "report.html").read_text()


# --------------------------------------------------------------------------- sweep store


SWEEP = """
name = "tiny"
scenario = "{base}"
replications = 2
seed = 0
indicators = ["unsafe_icu_patient_days"]
set = {{ "world.scale" = 0.02, "time.end" = 2020-03-12 }}
[[variants]]
name = "base"
"""


def test_sweep_resume_reruns_a_damaged_run_file_and_report_names_it(tmp_path, capsys):
    """Failure 9: a corrupt run file counted as done on --resume, then the report crashed on it."""
    experiment = tmp_path / "exp.toml"
    experiment.write_text(SWEEP.format(base=BASE))
    folder = tmp_path / "store"
    assert main(["sweep", str(experiment), "--out", str(folder), "--quiet"]) == 0
    damaged = folder / "runs" / "p00000_r001.parquet"
    good = damaged.read_bytes()
    damaged.write_bytes(good[: len(good) // 2])
    capsys.readouterr()
    code, err = run_cli(["report", str(folder)], capsys)
    assert code == 2 and "p00000_r001.parquet" in one_error_line(err) and "--resume" in err
    assert main(["sweep", str(experiment), "--out", str(folder), "--resume", "--quiet"]) == 0
    assert "1 already done" in capsys.readouterr().err
    assert pd.read_parquet(damaged)["run_id"].tolist() == ["p00000_r001"]


def test_two_sweeps_cannot_write_one_store(tmp_path, capsys):
    """Failure 9: two sweeps on one store both ran everything (no lock)."""
    experiment = tmp_path / "exp.toml"
    experiment.write_text(SWEEP.format(base=BASE))
    folder = tmp_path / "store"
    folder.mkdir()
    with FileLock(folder / store.SWEEP_LOCK):  # another sweep holds the store
        code, err = run_cli(["sweep", str(experiment), "--out", str(folder), "--quiet"], capsys)
    assert code == 2 and "another mobsim sweep is writing into this store" in one_error_line(err)
    assert not (folder / "runs").exists()
    assert main(["sweep", str(experiment), "--out", str(folder), "--quiet"]) == 0


def test_a_store_with_no_finished_run_is_taken_over_by_the_corrected_experiment(tmp_path, capsys):
    """Failure 9: after a first attempt that finished no run, the corrected file was refused on the same --out."""
    from sim.sweep import load_experiment, run_sweep

    experiment = tmp_path / "exp.toml"
    experiment.write_text(SWEEP.format(base=BASE).replace("seed = 0", "seed = 7"))
    folder = tmp_path / "store"

    def interrupt(done: int, failed: int, total: int) -> None:
        raise KeyboardInterrupt  # the first attempt is stopped before its first run finishes

    with pytest.raises(KeyboardInterrupt):
        run_sweep(load_experiment(experiment), out=folder, progress=interrupt)
    assert (folder / "manifest.json").is_file() and not list((folder / "runs").glob("*.parquet"))
    experiment.write_text(SWEEP.format(base=BASE))  # corrected: another experiment (another hash)
    assert main(["sweep", str(experiment), "--out", str(folder), "--quiet"]) == 0
    assert len(list((folder / "runs").glob("*.parquet"))) == 2
    assert json.loads((folder / "manifest.json").read_text())["seed"] == 0
    experiment.write_text(SWEEP.format(base=BASE).replace("seed = 0", "seed = 9"))  # with finished runs: refused
    code, err = run_cli(["sweep", str(experiment), "--out", str(folder), "--quiet"], capsys)
    assert code == 2 and "holds results of another experiment" in one_error_line(err)


EDITS = {
    "name is null": ({"scenario_name": None}, "scenario_name"),
    "scenario is text": ({"scenario": "x"}, "scenario"),
    "safety is text": ({"scenario": {"safety": "x"}}, "scenario.safety"),
    "scale is text": ({"scenario": {"world": {"scale": "big"}}}, "scenario.world.scale"),
    "kind says compare": ({"kind": "compare"}, "strategies"),
    "files is a number": ({"files": 5}, "not a mobsim manifest"),
    "kind says figures": ({"kind": "figures"}, "a folder of figures"),
}


def test_report_of_hand_edited_manifests_and_damaged_files_is_one_line(tmp_path, capsys):
    """Failure 10: hand-edited manifests gave tracebacks."""
    out = tmp_path / "run"
    assert main(["run", str(BASE), *TINY, "--out", str(out), "--quiet"]) == 0
    original = json.loads((out / "manifest.json").read_text())
    for edit, fragment in EDITS.values():
        (out / "manifest.json").write_text(json.dumps({**original, **edit}))
        code, err = run_cli(["report", str(out)], capsys)
        assert code == 2 and fragment in one_error_line(err)
    (out / "manifest.json").write_text(json.dumps(original))
    pd.DataFrame({"x": [1]}).to_parquet(out / "icu.parquet")
    code, err = run_cli(["report", str(out)], capsys)
    assert code == 2 and "no column 'date'" in one_error_line(err)
    assert not (out / "report.html").exists()


def test_a_stop_during_the_swap_waits_for_it_and_is_raised_after():
    """``sim.executor.stop_signals_held`` (around the swap): a SIGINT that arrives inside the block (here: between the swap and its note in ``SAVED``)
    is raised just after it, by the handler of before (Python's: KeyboardInterrupt)."""
    steps = []
    with pytest.raises(KeyboardInterrupt):
        with stop_signals_held():
            signal.raise_signal(signal.SIGINT)
            steps.append("swapped")
            steps.append("noted")
        steps.append("after")  # not reached: the stop comes first
    assert steps == ["swapped", "noted"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the handler of before, back


def test_a_stop_after_the_results_are_in_place_says_they_were_written(tmp_path, capsys, monkeypatch):
    """Ctrl-C once the results folder is in place: exit 130 and one line that names it, not "nothing was written" (a
    run of the CI's Ctrl-C test was stopped while saving and printed that, with its folder in place)."""

    def stop(name: str) -> None:
        if name == "swapped":
            raise KeyboardInterrupt

    monkeypatch.setattr(store, "_step", stop)
    out = tmp_path / "out"
    code = main(
        [
            "run",
            str(ROOT / "scenarios" / "sweden_spring2020.toml"),
            "--set",
            "world.scale=0.02",
            "--set",
            "time.end=2020-03-05",
            "--quiet",
            "--out",
            str(out),
        ]
    )
    assert code == 130
    assert capsys.readouterr().err == f"mobsim: interrupted; {out.resolve()}/ had been written in full before the stop\n"
    assert (out / store.MANIFEST).is_file() and (out / "summary.csv").is_file()
