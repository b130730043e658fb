"""Figures (sim.figures) and reports (sim.report, ``mobsim report``) drawn from real small runs."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import matplotlib.image as mpimg
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from helpers import one_error_line
from matplotlib.patches import FancyArrowPatch

import sim
from sim import figures
from sim.cli import main
from sim.experiment import run_replications
from sim.report import figure_list, load, write_report
from sim.scenario import ScenarioError
from sim.sweep import load_experiment, run_sweep
from sim.text import fmt_unit

ROOT = Path(__file__).resolve().parent.parent
TINY = {"world.scale": 0.02, "time.end": "2020-05-15"}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    scenario = sim.load_scenario(ROOT / "scenarios" / "sweden_spring2020.toml", **TINY)
    return sim.run(scenario, seed=1).save(tmp_path_factory.mktemp("report") / "run")


@pytest.fixture(scope="module")
def compare_dir(tmp_path_factory) -> Path:
    """The baseline against a large additional pool (whose members do deploy), 3 replications each."""
    scenarios = [
        sim.load_scenario(ROOT / "scenarios" / "strategies" / name, **TINY)
        for name in ("as_happened_2020.toml", "national_pool_large.toml")
    ]
    return run_replications(scenarios, replications=3, seed=5).save(tmp_path_factory.mktemp("report") / "compare")


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    path = folder / "exp.toml"
    path.write_text(
        f'''name = "pool_grid"
scenario = "{(ROOT / "scenarios" / "strategies" / "national_pool_large.toml").as_posix()}"
replications = 2
seed = 0
indicators = ["unsafe_icu_patient_days", "pool_arrivals"]
set = {{ "world.scale" = 0.02, "time.end" = 2020-05-01 }}
design = "grid"
[parameters]
"levers.national_pool.size" = {{ values = [0, 800, 1600] }}
"levers.national_pool.response_days" = {{ values = [1, 7] }}
''',
        encoding="utf-8",
    )
    return run_sweep(load_experiment(path), out=folder / "store").folder


def check_png(path: Path, min_size: tuple[int, int] = (500, 300)) -> np.ndarray:
    """A real PNG of a sensible size with something drawn on it; returns its pixels."""
    assert path.read_bytes()[:8] == PNG_MAGIC, path
    pixels = mpimg.imread(path)
    height, width = pixels.shape[:2]
    assert min_size[0] <= width <= 4000 and min_size[1] <= height <= 4000, (path.name, width, height)
    assert pixels[..., :3].std() > 0.05, f"{path.name} looks blank"
    return pixels


def check_pdf(path: Path) -> None:
    data = path.read_bytes()
    assert data[:5] == b"%PDF-" and b"%%EOF" in data[-1024:], path
    assert len(data) > 5_000, path


def test_coverage_lines_are_the_mean_over_replications_with_a_band(compare_dir):
    runs = load(compare_dir).runs
    fig = figures.coverage_national(runs)
    ratio_axes = fig.axes[1]
    for line, strategy in zip(ratio_axes.get_lines()[: len(runs.strategies)], runs.strategies, strict=True):
        national = runs.national[runs.national["strategy"] == strategy]
        expected = national.groupby("date")["nurses_per_patient"].mean().sort_index().to_numpy()
        np.testing.assert_allclose(line.get_ydata(), expected)
    # one band (a filled polygon) per strategy on each panel: two replications
    assert sum(1 for c in ratio_axes.collections if c.__class__.__name__ in ("FillBetweenPolyCollection", "PolyCollection")) == 2
    plt.close(fig)


def test_a_single_run_has_lines_but_no_bands(run_dir):
    runs = load(run_dir).runs
    assert runs.replications == 1 and runs.strategies == ["sweden_spring2020"]
    fig = figures.coverage_national(runs)
    assert not [c for c in fig.axes[1].collections if "Poly" in c.__class__.__name__]
    plt.close(fig)


@pytest.fixture(scope="module")
def admissions_dir(tmp_path_factory) -> Path:
    """The both-waves baseline (demand from the regions' own admissions), tiny, 2 replications."""
    scenario = sim.load_scenario(ROOT / "scenarios" / "sweden_2020_2021.toml", **TINY)
    return run_replications([scenario], replications=2, seed=3).save(tmp_path_factory.mktemp("report") / "admissions")


def test_regional_admissions_has_a_panel_per_region_with_data_and_simulation(admissions_dir, tmp_path):
    runs = load(admissions_dir).runs
    fig = figures.regional_admissions(runs)
    drawn = [ax for ax in fig.axes if ax.get_title()]
    assert len(drawn) == 21
    assert [ax.get_title() for ax in drawn] == list(sim.data.regions().sort_values("population", ascending=False)["name"])
    stockholm = drawn[0]
    # bars: the data's weekly admissions, whole weeks of the run (2020-W10, from 2 March, .. W19, to 10 May)
    weekly = sim.data.icu_admissions_weekly()
    seen = weekly[(weekly["code"] == "stockholm") & weekly["week_start"].between("2020-03-02", "2020-05-04")]
    assert [p.get_height() for p in stockholm.patches] == seen["new_icu_admissions"].tolist()
    # the simulated weekly admissions (full scale) are the data's, here without count noise; then the occupancy
    admissions, occupancy = stockholm.get_lines()[:2]
    np.testing.assert_allclose(admissions.get_ydata(), seen["new_icu_admissions"].to_numpy(float), rtol=1e-9)
    # the mean over replications: with patient transfers a region's patients differ between replications
    region = runs.regions[runs.regions["region"] == "stockholm"].groupby("date")["covid_icu_patients"].mean().sort_index()
    np.testing.assert_allclose(occupancy.get_ydata(), region.to_numpy() / runs.scale)
    assert sum(1 for c in stockholm.collections if "Poly" in c.__class__.__name__) == 2  # a band each: 2 replications
    plt.close(fig)
    listed = {f.name: f for f in figure_list(load(admissions_dir))}  # what the HTML report and --figures DIR draw
    names = list(listed)
    assert names.index("regional_admissions") == names.index("coverage_regions") + 1  # beside the other regional figure
    check_png(figures.save(listed["regional_admissions"].draw(), tmp_path / "regional_admissions", formats=("png",))[0])


def test_regional_admissions_is_left_out_for_waves(run_dir, tmp_path):
    assert figures.has_admissions(load(run_dir).runs)  # the baseline reads the regions' admissions
    waves = sim.load_scenario(ROOT / "scenarios" / "second_wave.toml", **TINY)  # parametric waves: no admissions
    waves_dir = sim.run(waves, seed=1).save(tmp_path / "waves")
    runs = load(waves_dir).runs
    assert not figures.has_admissions(runs)
    assert "regional_admissions" not in [f.name for f in figure_list(load(waves_dir))]
    with pytest.raises(ValueError, match=r"demand\.source = 'admissions'"):
        figures.regional_admissions(runs)


def test_staff_by_status_stacks_every_staff_member(run_dir):
    runs = load(run_dir).runs
    fig = figures.staff_by_status(runs)
    stacked = fig.axes[0].collections
    top = stacked[-1].get_paths()[0].vertices[:, 1].max()
    total = runs.national["n_total"].max()
    assert top == pytest.approx(total)  # the stack's top is everyone, not lost or counted twice
    plt.close(fig)


def test_loan_map_draws_one_arrow_per_flow_and_rings_for_the_pool(run_dir):
    runs = load(run_dir).runs
    ids = {"strategy": runs.strategies[0], "replication": 0}
    runs.loans = pd.DataFrame(
        [
            {**ids, "from_region": "uppsala", "to_region": "stockholm", "profession": "icu_nurse", "count": 5, "days": 14},
            {**ids, "from_region": "uppsala", "to_region": "stockholm", "profession": "icu_nurse", "count": 1, "days": 14},
            {**ids, "from_region": "skane", "to_region": "stockholm", "profession": "icu_nurse", "count": 2, "days": 7},
        ]
    )
    runs.pool_deployments = pd.DataFrame([{**ids, "region": "stockholm", "profession": "icu_nurse", "count": 3, "days": 28}])
    fig = figures.loan_map(runs)
    arrows = [p for p in fig.axes[0].patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == 2  # uppsala → stockholm (84 staff-days) and skane → stockholm (14)
    widths = sorted(a.get_linewidth() for a in arrows)
    assert widths[1] > widths[0]
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    full = f", ≈ {98 / runs.scale:,.0f} at full scale" if runs.scale < 1 else ""  # the legend states the scale (issue #15)
    assert f"loans: 98 staff-days (largest 84){full}" in labels
    assert any(label.startswith("pool: 84 member-days received") for label in labels)
    if runs.scale < 1:
        assert f"at scale {runs.scale:g}" in fig.axes[0].get_title()
    plt.close(fig)


def test_sweep_figures_response_curves_and_sensitivity(sweep_dir, tmp_path):
    folder = load(sweep_dir)
    names = [f.name for f in figure_list(folder)]
    assert names == ["response_curves"]
    fig = figure_list(folder)[0].draw()
    # a grid of 2 parameters: one line per response time against pool size, per indicator
    assert len(fig.axes) == 2
    assert all(len(ax.get_lines()) >= 2 for ax in fig.axes)
    check_png(figures.save(fig, tmp_path / "response")[0])
    table = pd.DataFrame(
        {
            "indicator": ["a", "a", "b", "b"],
            "parameter": ["p", "q", "p", "q"],
            "method": "sobol",
            "S1": [0.6, 0.1, 0.2, 0.3],
            "S1_conf": 0.05,
            "ST": [0.7, 0.2, 0.3, 0.5],
            "ST_conf": 0.05,
            "note": "",
        }
    )
    check_png(figures.save(figures.sensitivity_indices(table), tmp_path / "sens")[0], min_size=(400, 200))


def images_in(html: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)]


def test_html_report_of_a_run_is_self_contained(run_dir):
    path = write_report(run_dir)
    assert path == run_dir / "report.html"
    html = path.read_text(encoding="utf-8")
    images = images_in(html)
    assert len(images) == len(figure_list(load(run_dir)))
    assert all(image[:8] == PNG_MAGIC and len(image) > 10_000 for image in images)
    assert not re.search(r'(src|href)="(https?:)?//', html), "the report must open offline"
    summary = pd.read_parquet(run_dir / "summary.parquet").iloc[0]
    # generated key numbers come from the summary, shown by their unit (patients: whole)
    assert f"peaked at {fmt_unit(summary['peak_covid_icu_patients'], 'patients')}" in html
    assert "unsafe_icu_patient_days" in html  # the summary table
    assert json.loads((run_dir / "manifest.json").read_text())["scenario_sha256"] in html
    assert not [p for p in run_dir.iterdir() if p.name.startswith(".")], "no temporary file left"


@pytest.mark.long  # over 10 s (issue #18: `make test` kept under 10 min); make test-long and CI run it
def test_html_report_of_a_comparison_with_every_figure_as_png_and_pdf(compare_dir, tmp_path):
    open_before = set(plt.get_fignums())  # figures other tests of this process left open are not this report's
    names = [f.name for f in figure_list(load(compare_dir))]
    assert names == [
        "coverage_national",
        "coverage_regions",
        "regional_admissions",
        "hours_by_unit_kind",
        "staff_by_status",
        "fatigue_heatmap",
        "loan_map",
        "nursing_homes",
        "care_debt",
        "strategy_comparison",
    ]
    path = write_report(compare_dir, out=tmp_path / "r.html", figures_dir=tmp_path / "figs")
    html = path.read_text(encoding="utf-8")
    assert len(images_in(html)) == len(names)
    assert "national_pool_large:" in html and "as_happened_2020" in html  # the paired differences in words
    for name in names:
        check_png(tmp_path / "figs" / f"{name}.png")
        check_pdf(tmp_path / "figs" / f"{name}.pdf")
    assert len(list((tmp_path / "figs").iterdir())) == 2 * len(names) + 1  # and the manifest of a folder mobsim owns
    manifest = json.loads((tmp_path / "figs" / "manifest.json").read_text())
    assert manifest["written_by"] == "mobsim" and manifest["kind"] == "figures"
    assert set(manifest["files"]) == {f"{n}.{x}" for n in names for x in ("png", "pdf")} | {"manifest.json"}
    assert set(plt.get_fignums()) <= open_before, "every figure is closed after saving"


@pytest.mark.long  # over 10 s (issue #18: `make test` kept under 10 min); make test-long and CI run it
def test_cli_pdf_report_has_a_page_per_figure(compare_dir, tmp_path, capsys):
    out = tmp_path / "r.pdf"
    assert main(["report", str(compare_dir), "--format", "pdf", "--out", str(out), "--strategy", "national_pool_large"]) == 0
    assert "report written to" in capsys.readouterr().out
    check_pdf(out)
    pages = len(re.findall(rb"/Type\s*/Page\b", out.read_bytes()))
    assert pages >= 1 + 10 + 1 + 1 + 1  # key numbers and provenance, the figures, the comparison table, the regions, manifest and scenarios
    from test_workbook import check_pdf_text

    check_pdf_text(out, pd.read_parquet(compare_dir / "comparison.parquet"), seeds="5–7")  # copies right, every row, provenance
    captions = [f.caption for f in figure_list(load(compare_dir), "national_pool_large")]
    assert sum("(national_pool_large)" in c for c in captions) == 5  # admissions, hours, staff, fatigue, loans: of the chosen strategy


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["{missing}"], "not found"),
        (["{empty}"], "no manifest.json"),
        (["{compare}", "--strategy", "nope"], "'nope' is not in"),
        (["{compare}", "--format", "docx"], "invalid choice: 'docx'"),
    ],
)
def test_cli_report_bad_input_is_one_line_and_writes_nothing(compare_dir, tmp_path, capsys, args, expected):
    (tmp_path / "empty").mkdir()
    names = {"missing": tmp_path / "missing", "empty": tmp_path / "empty", "compare": compare_dir}
    before = sorted(p.name for p in compare_dir.iterdir())
    code = main(["report", *(a.format(**names) for a in args)])
    assert code == 2
    assert expected in one_error_line(capsys.readouterr().err)
    assert sorted(p.name for p in compare_dir.iterdir()) == before


def test_a_damaged_results_file_is_a_clear_error(run_dir, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    for p in [*run_dir.glob("*.parquet"), run_dir / "manifest.json"]:
        (broken / p.name).write_bytes(p.read_bytes())
    (broken / "icu.parquet").write_bytes(b"not parquet")
    with pytest.raises(ScenarioError, match=r"icu\.parquet: cannot be read as Parquet"):
        write_report(broken)
    assert not (broken / "report.html").exists()


def test_titles_units_and_directions_come_from_the_registry(run_dir, compare_dir, sweep_dir):
    from sim import indicators as registry
    from sim.report import key_numbers, tables

    _, summary = tables(load(run_dir))[0]
    assert list(summary.columns)[:3] == ["title", "value", "unit"]  # and "full scale ≈" below scale 1
    assert summary.loc["unsafe_icu_patient_days", "title"] == "Unsafe ICU care"
    assert summary.loc["cost_total_msek", "unit"] == "MSEK"
    # a comparison's clear differences are named by their titles and judged by their direction
    sentences = key_numbers(load(compare_dir))
    assert any(s.endswith("(better).") or "(better);" in s for s in sentences), sentences  # the large pool helps
    for sentence in sentences[1:]:
        if ":" in sentence and "no indicator" not in sentence:
            for part in sentence.split(": ", 1)[1].rstrip(".").split("; "):
                named = [n for n in registry.planners() if part.startswith(registry.title(n).lower() + " ")]
                assert named, part
                expected = registry.lower_is_better(named[0])
                assert part.endswith(("(better)", "(worse)")) == (expected is not None), part
    assert any("lowest (best) at" in s for s in key_numbers(load(sweep_dir)))  # unsafe ICU care: lower is better


# --------------------------------------------------------------------------- issue #15: regions, numbers for people, the scale


def test_the_worst_region_week_is_named_and_the_regions_are_tabled(run_dir):
    from sim.regional import region_summary
    from sim.report import key_numbers, tables

    folder = load(run_dir)
    regions = region_summary(folder.runs)
    assert len(regions) == 21 and regions["region_name"].str.contains("Jämtland Härjedalen").any()
    sentence = next(s for s in key_numbers(folder) if "worst region-week" in s)
    named = regions.dropna(subset=["worst_week_icu_nurses_per_patient"])
    if len(named):  # the region whose week is the summary's worst region-week, and that week
        worst = named.loc[named["worst_week_icu_nurses_per_patient"].idxmin()]
        assert worst["region_name"] in sentence and worst["worst_week_iso"] in sentence
    titles = [title for title, _ in tables(folder)]
    assert titles[1].startswith("Regions, worst first")
    assert tables(folder)[1][1].index.name == "Region"


def test_numbers_are_shown_by_unit_and_the_scale_is_stated(run_dir, compare_dir):
    from sim.report import key_numbers, tables

    folder = load(run_dir)
    scale = folder.runs.scale
    assert scale < 1
    sentences = " ".join(key_numbers(folder))
    assert f"at scale {scale:g}; full-scale equivalent ≈ ×{1 / scale:g}" in sentences
    assert "at full scale)" in sentences  # counts with their full-scale equivalents
    assert re.search(r"At the peak [0-9.]+ % of staff were off sick", sentences)  # a share as %
    assert "MSEK (≈ " in sentences  # money in MSEK, with Sweden's
    assert "nan" not in sentences.lower()
    _, summary = tables(folder)[0]
    assert summary.loc["peak_sick_share", "value"].endswith(" %") and summary.loc["scale", "full scale ≈"] == ""
    compare = load(compare_dir)
    assert f"at scale {scale:g}" in key_numbers(compare)[0]
    comparison = tables(compare)[0][1]
    assert comparison.loc[(compare.runs.strategies[0], "peak_sick_share"), "mean"].endswith(" %")
    fig = figures.strategy_comparison(compare.runs.comparison, scale=compare.runs.scale)
    assert f"at scale {scale:g}" in fig._suptitle.get_text()
    plt.close(fig)


def test_an_autumn_run_says_april_is_not_in_its_period(tmp_path):
    """Indicators tied to a calendar window (April's operations) are 'not in this period' in a run that misses it (issue #15)."""
    from sim.report import key_numbers, tables

    autumn = {"world.scale": 0.02, "time.start": "2020-09-01", "time.end": "2020-10-30", "levers.crisis_agreement.until": "2020-09-01"}
    scenario = sim.load_scenario(ROOT / "scenarios" / "sweden_spring2020.toml", **autumn)
    folder = load(sim.run(scenario, seed=0).save(tmp_path / "autumn"))
    assert np.isnan(folder.runs.runs["elective_operations_april_change"].iloc[0])
    sentences = " ".join(key_numbers(folder))
    assert "Planned operations in April: not in this period" in sentences
    assert "changed by" not in sentences and "– %" not in sentences and "nan" not in sentences.lower()
    assert tables(folder)[0][1].loc["elective_operations_april_change", "value"] == "not in this period"


def test_swedish_sentences_tables_and_figures_of_a_comparison_and_a_sweep(compare_dir, sweep_dir):
    """``lang="sv"`` (``sim.lang``) on the paths a run's Swedish report (tests/test_report_browser.py) does not take."""
    from matplotlib.text import Text

    from sim.report import key_numbers, tables

    compared = load(compare_dir)
    sentences = key_numbers(compared, "sv")
    assert sentences[0].startswith("2 strategier, 3 replikat vardera med gemensamma slumptal"), sentences[0]
    assert any("(bättre)" in s for s in sentences[1:]), sentences  # the large pool helps, as in English
    title, table = tables(compared, "sv")[0]
    assert title.startswith("Jämförelse: medelvärde") and "medelvärde" in table.columns and table.index.names == ["strategi", "indikator"]
    assert "Osäker IVA-vård" in set(table.index.get_level_values("indikator"))
    fig = figures.strategy_comparison(compared.runs.comparison, lang="sv")
    texts = " ".join(t.get_text() for t in fig.findobj(Text))
    plt.close(fig)
    assert "Parvis skillnad mot as_happened_2020 med 95" in texts and "Osäker IVA-vård" in texts and "ICU" not in texts
    fig = figures.loan_map(compared.runs, "national_pool_large", lang="sv")
    texts = " ".join(t.get_text() for t in fig.findobj(Text))
    plt.close(fig)
    assert "Hjälp mellan regioner" in texts and "medlemsdagar mottagna" in texts
    swept = load(sweep_dir)
    sentences = key_numbers(swept, "sv")
    assert sentences[0].startswith("Experiment pool_grid: grid-design, 6 punkter × 2 replikat = 12 körningar"), sentences[0]
    assert any(s.startswith("Osäker IVA-vård: punkternas medelvärden från") and "lägst (bäst) vid" in s for s in sentences), sentences
    title, table = tables(swept, "sv")[0]
    assert title == "Medelvärde av varje indikator per försökspunkt" and "Ankomster från poolen" in table.columns


def test_swedish_run_sentences_give_full_scale_equivalents_and_name_the_worst_region_week(run_dir):
    """In Swedish as in English: counts with their full-scale equivalents below scale 1, the worst region-week named."""
    from sim.regional import region_summary
    from sim.report import key_numbers

    folder = load(run_dir)
    assert folder.runs.scale < 1
    sentences = " ".join(key_numbers(folder, "sv"))
    assert "i full skala)" in sentences and "at full scale" not in sentences
    named = region_summary(folder.runs).dropna(subset=["worst_week_icu_nurses_per_patient"])
    if len(named):
        worst = named.loc[named["worst_week_icu_nurses_per_patient"].idxmin()]
        assert f"({worst['region_name']}, {worst['worst_week_iso']})" in sentences
    assert "av de IVA-sjukskötersketimmar de behövde" in sentences  # coverage is a share of the hours needed, in %
