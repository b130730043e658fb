"""result.plot() and comparison.plot(): figures for notebook users, from sim.figures' drawings (issue #15 item 4)."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

import sim
from sim.experiment import run_replications

ROOT = Path(__file__).resolve().parent.parent
SHORT = {"world.scale": 0.02, "time.end": "2020-04-10"}


@pytest.fixture(scope="module")
def comparison():
    scenarios = [sim.load_scenario(ROOT / "scenarios" / name, **SHORT) for name in ("no_action.toml", "sweden_spring2020.toml")]
    return run_replications(scenarios, replications=2, seed=0)


def test_figures_draw_in_the_agg_backend():
    assert matplotlib.get_backend().lower() == "agg"


def test_result_plot_national_and_one_region(small_result):
    fig = small_result.plot()
    assert isinstance(fig, Figure) and len(fig.axes) == 2  # figures.coverage_national: ICU load, nurses per patient
    assert "Sweden" in fig.axes[0].get_title()
    fig = small_result.plot(region="Västra Götaland")  # a region by its name, with diacritics
    (ax,) = fig.axes
    assert ax.get_title().startswith("ICU nurses per ICU patient, Västra Götaland")
    assert len(ax.lines) == 2  # the series and the minimum ratio
    line = ax.lines[0].get_ydata()
    icu = small_result.daily.icu[small_result.daily.icu["region"] == "vastra_gotaland"]
    expected = (icu["icu_nurses"] / icu["icu_patients"].where(icu["icu_patients"] > 0)).to_numpy()
    np.testing.assert_allclose(np.asarray(line, float), expected, rtol=1e-12)
    plt.close("all")


def test_result_plot_a_running_total_into_given_axes(small_result):
    fig, (left, right) = plt.subplots(1, 2)
    assert small_result.plot("unsafe_icu_patient_days", ax=right) is fig
    assert not left.lines and len(right.lines) == 1
    assert right.lines[0].get_ydata()[-1] == pytest.approx(small_result.summary["unsafe_icu_patient_days"].iloc[0], rel=1e-9)
    assert "world.scale 0.03" in right.get_title() and "model scale" in right.get_ylabel()
    plt.close("all")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"indicator": "unsafe_patient"}, "unknown indicator 'unsafe_patient' to plot; did you mean 'unsafe_patients'?"),
        ({"region": "Jämtlnd"}, "unknown region 'Jämtlnd'; did you mean"),
        ({"indicator": "icu_staff_fatigue"}, "kept per region only; give region="),
    ],
)
def test_result_plot_refuses_unknown_names_with_a_suggestion(small_result, arguments, message):
    with pytest.raises(ValueError, match=message):
        small_result.plot(**arguments)


def test_comparison_plot_paired_differences_and_series(comparison):
    fig = comparison.plot()
    assert isinstance(fig, Figure) and len([ax for ax in fig.axes if ax.axison]) >= 1  # figures.strategy_comparison
    (panel,) = [ax for ax in comparison.plot("unsafe_icu_patient_days").axes if ax.axison]
    assert "Unsafe ICU care" in panel.get_title()
    fig = comparison.plot("covid_icu_patients", region="stockholm")
    (ax,) = fig.axes
    assert len(ax.lines) == 2 and len(ax.collections) == 2  # a line and a band (2 replications) per strategy
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["no_action", "sweden_spring2020"]
    plt.close("all")


def test_comparison_plot_refuses_bad_input(comparison):
    with pytest.raises(ValueError, match="did you mean 'staff_lost'"):
        comparison.plot("staf_lost")
    with pytest.raises(ValueError, match="cannot be drawn into one ax"):
        comparison.plot(ax=plt.subplots()[1])
    with pytest.raises(ValueError, match="a summary of each run, not a daily series"):
        comparison.plot("staff_lost", region="stockholm")
    plt.close("all")
