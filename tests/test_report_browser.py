"""The HTML report opened in headless Chromium: every figure loads and shows, offline."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import open_page

import sim
from sim.report import figure_list, load, write_report

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    scenario = sim.load_scenario(ROOT / "scenarios" / "sweden_spring2020.toml", **{"world.scale": 0.02, "time.end": "2020-05-01"})
    folder = sim.run(scenario, seed=2).save(tmp_path_factory.mktemp("browser") / "run")
    return write_report(folder)


def test_report_shows_every_figure_in_chromium_without_the_network(report):
    expected = len(figure_list(load(report.parent)))
    with open_page() as page:
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(report.as_uri())
        page.wait_for_load_state("load")
        assert page.title().startswith("mobsim report: Scenario sweden_spring2020")
        assert page.locator("h1").inner_text() == "Scenario sweden_spring2020"
        images = page.locator("figure img")
        assert images.count() == expected
        sizes = page.evaluate(
            "() => [...document.querySelectorAll('figure img')].map(i => [i.complete, i.naturalWidth, i.naturalHeight, i.clientWidth])"
        )
        for complete, natural_width, natural_height, shown_width in sizes:
            assert complete and natural_width >= 500 and natural_height >= 300, sizes
            assert shown_width > 300, "the figure is laid out on the page"
        assert "peaked at" in page.locator("ul.key").inner_text()
        assert page.locator("table").count() >= 1
    assert all(url.startswith(("file:", "data:")) for url in requests), requests
