"""The dashboard (``sim/app.py``, ``mobsim dashboard``): slider values map to scenario overrides, bad input is refused,
and the running page in headless Chromium shows its plots and reacts to a slider, Reset and Step."""

from __future__ import annotations

import contextlib
import inspect
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from browser import chromium_page  # noqa: F401  (fixture)
from helpers import one_error_line

from sim import app
from sim.categories import STATUSES
from sim.cli import main
from sim.scenario import ScenarioError

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "scenarios" / "sweden_spring2020.toml"
POOL_LARGE = ROOT / "scenarios" / "strategies" / "national_pool_large.toml"
SCALE = 0.02


def _defaults(params: dict) -> dict:
    """What Mesa's SolaraViz passes to the model class on Reset when no slider was moved."""
    return {k: v["value"] if isinstance(v, dict) and "type" in v else v for k, v in params.items()}


# --------------------------------------------------------------------------- sliders -> overrides


def test_lever_overrides_map_slider_names_to_scenario_keys():
    assert app.lever_overrides(
        pool_size=1200, pool_response_days=7, agreement_max_weekly_hours=52.0, loan_safety_margin=0.3, stable_teams=True
    ) == {
        "levers.national_pool.size": 1200,
        "levers.national_pool.enabled": True,
        "levers.national_pool.response_days": 7,
        "levers.crisis_agreement.max_weekly_hours": 52.0,
        "levers.loans.safety_margin": 0.3,
        "levers.nursing_home_measures.stable_teams": True,
        "levers.nursing_home_measures.enabled": True,
    }
    # 0 switches the pool off; stable teams off leaves the other nursing-home measures as they are; None keeps the scenario's value
    assert app.lever_overrides(pool_size=0, stable_teams=False, loan_safety_margin=None) == {
        "levers.national_pool.enabled": False,
        "levers.nursing_home_measures.stable_teams": False,
    }


def test_unknown_lever_is_refused():
    with pytest.raises(ScenarioError, match="pool_sise: unknown lever"):
        app.lever_overrides(pool_sise=100)


def test_model_runs_with_the_slider_values():
    model = app.DashboardModel(scenario_file=str(BASE), scale=SCALE, seed=3, pool_size=800, pool_response_days=1, stable_teams=True)
    pool = model.config.levers.national_pool
    assert (pool.enabled, pool.size, pool.response_days) == (True, 800, 1)
    assert model.config.levers.nursing_home_measures.stable_teams and model.config.levers.nursing_home_measures.enabled
    assert model.config.world.scale == SCALE and model.seed == 3
    assert app.lever_values(model.config)["pool_size"] == 800
    off = app.DashboardModel(scenario_file=str(POOL_LARGE), scale=SCALE, pool_size=0)
    assert not off.config.levers.national_pool.enabled


def test_sliders_start_at_the_scenario_values_and_reproduce_it():
    for path, pool_size in ((BASE, 0), (POOL_LARGE, 1600)):
        params = app.model_params(path, SCALE)
        assert params["pool_size"]["value"] == pool_size
        assert params["agreement_max_weekly_hours"]["min"] <= params["agreement_max_weekly_hours"]["value"] <= 60
        model = app.DashboardModel(**_defaults(params))
        assert model.config == app.load_scenario(path, world__scale=SCALE)


def test_model_class_fits_solaraviz_on_mesa_3_3_and_3_5():
    """Mesa checks the parameters against the signature; Mesa 3.5 would pass its own Scenario to a `scenario=` or `**kwargs` model."""
    from mesa.visualization import solara_viz

    parameters = inspect.signature(app.DashboardModel.__init__).parameters
    assert "scenario" not in parameters
    assert all(p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL) for p in parameters.values())
    params = app.model_params(BASE, SCALE)
    solara_viz._check_model_params(app.DashboardModel.__init__, params)  # raises ValueError on a mismatch
    with pytest.raises(ValueError, match="Invalid model parameter"):
        solara_viz._check_model_params(app.DashboardModel.__init__, {**params, "pool": 3})


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"pool_size": -100}, "levers.national_pool.size"),
        ({"loan_safety_margin": "a lot"}, "levers.loans.safety_margin"),
        ({"scale": 0.0}, "world.scale"),
        ({"scenario_file": "nope.toml"}, "nope.toml: file not found"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_values_give_a_clear_error(kwargs, expected):
    with pytest.raises(ScenarioError, match=expected.replace(".", r"\.")):
        app.DashboardModel(**{"scale": SCALE, **kwargs})


def test_picker_lists_the_scenarios_and_strategies():
    choices = app.scenario_choices(BASE, SCALE)
    assert next(iter(choices)) == "sweden_spring2020"
    assert {"no_action", "strategies/national_pool_large", "strategies/nursing_homes_stable_teams"} <= set(choices)
    assert all(path.is_file() for path in choices.values())


def test_plotted_series_follow_the_model():
    model = app.DashboardModel(scenario_file=str(BASE), scale=SCALE, seed=1)
    for _ in range(45):
        model.step()
    status = app.status_series(model)
    assert set(status) == set(STATUSES)
    totals = sum(status.values())
    assert len(totals) == 45 and np.all(totals == len(model.world.staff))  # every staff member has one status every day
    coverage = app.coverage_series(model)
    collected = model.datacollector.get_model_vars_dataframe()
    assert np.all(coverage["national"] > 0)
    assert np.nanmin(coverage["worst region"]) < np.nanmin(coverage["national"])  # the surge hits some regions harder
    fatigue = app.fatigue_series(model)
    np.testing.assert_allclose(fatigue["ICU staff"], collected["icu_staff_fatigue"].to_numpy())
    np.testing.assert_allclose(fatigue["all staff"], collected["fatigue_mean"].to_numpy())
    assert all(np.all((v >= 0) & (v <= 1)) for v in fatigue.values())


# --------------------------------------------------------------------------- mobsim dashboard: bad input


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--scenario", "nope.toml"], "nope.toml: file not found"),
        (["--scale", "0"], "--scale"),
        (["--scale", "1.5"], "--scale"),
        (["--port", "70000"], "--port"),
    ],
)
def test_dashboard_bad_input(argv, expected, capsys):
    assert main(["dashboard", *argv]) == 2
    assert expected in one_error_line(capsys.readouterr().err)


def test_dashboard_port_in_use(capsys):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        assert main(["dashboard", "--port", str(port)]) == 2
    assert f"cannot listen on 127.0.0.1:{port}" in one_error_line(capsys.readouterr().err)


# --------------------------------------------------------------------------- the running page


def _free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as sock:
        return sock.getsockname()[1]


def _first_line(stream, timeout: float) -> str:
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in stream], daemon=True).start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        if line.startswith("mobsim dashboard: http"):
            return line
    raise AssertionError(f"no address printed within {timeout:.0f} s")


@pytest.fixture
def dashboard():
    """``mobsim dashboard`` on a free port at scale 0.02: yields its URL; stops it with SIGINT (as Ctrl-C) and checks it stopped cleanly."""
    with _serve() as url:
        yield url


@contextlib.contextmanager
def _serve(*options: str):
    """``mobsim dashboard`` with ``options`` on a free port at scale 0.02 (see the ``dashboard`` fixture)."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "dashboard", "--port", str(port), "--scale", str(SCALE), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        line = _first_line(server.stdout, timeout=120)
        yield line.split()[2]
    finally:
        server.send_signal(signal.SIGINT)
        try:
            code = server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
    assert code == 0, server.stderr.read()
    assert "mobsim dashboard: stopped" in server.stderr.read()
    with pytest.raises(OSError):  # nobody listens any more
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def _info_has(page, text: str, timeout: float = 30_000) -> None:
    page.wait_for_function("t => (document.querySelector('.mobsim-info')?.innerText ?? '').includes(t)", arg=text, timeout=timeout)


def test_dashboard_in_chromium(dashboard, chromium_page):  # noqa: F811 (fixture)
    from playwright.sync_api import expect  # retries each check until it holds or times out (a re-render may land late)

    page = chromium_page
    page.goto(dashboard)
    # Solara may re-render a plot after the first paint (the <img> is replaced), so the check
    # polls in the page until all three are laid out at once rather than reading each box once.
    page.wait_for_function(
        """plots => plots.every(p => {
            const img = document.querySelector(`.mobsim-${p} img`);
            if (!img || !img.complete || img.naturalWidth === 0) return false;
            const box = img.getBoundingClientRect();
            return box.width > 200 && box.height > 100;
        })""",
        arg=["coverage", "status", "fatigue"],
        timeout=60_000,
    )
    _info_has(page, "day 0 of 122")
    expect(page.locator(".mobsim-pool")).to_have_text("none")

    # one step: the day counter moves on and the plots are redrawn with a day of data
    before = page.locator(".mobsim-coverage img").get_attribute("src")
    page.get_by_role("button", name="Step").click()
    _info_has(page, "day 1 of 122")
    page.wait_for_function(
        "s => { const img = document.querySelector('.mobsim-coverage img'); return img !== null && img.src !== s; }", arg=before
    )
    # Mesa's own counter, as shown: "Step: 1" (3.3), "Time: 1.0" (3.5)
    page.wait_for_function("() => /\\b(Step|Time): 1(\\.0)?\\b/.test(document.body.innerText)")

    # one slider: the pool size moves one notch (100 members) and the model built on Reset has that pool
    slider = page.locator(".v-input", has_text="Pool size").locator("[role=slider]")
    expect(slider).to_have_attribute("aria-valuenow", "0")
    slider.focus()
    slider.press("ArrowRight")
    expect(slider).to_have_attribute("aria-valuenow", "100")
    page.get_by_role("button", name="Reset").click()
    _info_has(page, "day 0 of 122")
    expect(page.locator(".mobsim-pool")).to_have_text("100 members, response 3 days")
    expect(page.locator(".mobsim-info")).to_contain_text("national_pool")


# --------------------------------------------------------------------------- in Swedish (--lang sv)


def test_sliders_and_info_in_swedish(monkeypatch):
    params = app.model_params(BASE, SCALE, language="sv")
    assert params["pool_size"]["label"] == "Poolens storlek (0 = ingen)"
    assert params["seed"]["label"] == "Slumpfrö"
    assert app.model_params(BASE, SCALE)["pool_size"]["label"] == "Pool size (0 = none)"
    monkeypatch.setattr(app, "LANG", "sv")
    model = app.DashboardModel(scenario_file=str(BASE), scale=SCALE)
    info = app.ModelInfo(model).kwargs["unsafe_innerHTML"]
    assert "dag 0 av 122 (1 mars 2020)" in info and "nationella poolen: <span class='mobsim-pool'>ingen</span>" in info
    assert app._titles("icu_nurse_coverage") == ("Täckning av intensivvårdssjuksköterskor", "intensivvårdssjuksköterskor per IVA-patient")


def test_dashboard_language_from_the_environment(monkeypatch):
    monkeypatch.setenv(app.ENV_LANG, "sv")
    assert app.language() == "sv"
    monkeypatch.setenv(app.ENV_LANG, "de")
    with pytest.raises(ScenarioError, match="expected one of en, sv, got 'de'"):
        app.language()


@pytest.mark.slow  # a second dashboard server (≈20 s)
@pytest.mark.long
def test_dashboard_in_swedish_in_chromium(chromium_page):  # noqa: F811 (fixture)
    from playwright.sync_api import expect

    with _serve("--lang", "sv") as url:
        page = chromium_page
        page.goto(url)
        _info_has(page, "dag 0 av 122", timeout=60_000)
        expect(page.locator(".v-input", has_text="Poolens storlek (0 = ingen)")).to_have_count(1)
        expect(page.locator(".mobsim-pool")).to_have_text("ingen")
