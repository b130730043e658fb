"""The HTML report opened in headless Chromium: every figure loads and shows, offline, in English and in Swedish
(``--lang sv``); and the Swedish report has no English left, in its text or in its figures.

One small run is written once for the module and reported in both languages (the Swedish report's figures are drawn
once, their texts collected on the way).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import matplotlib.text
import pytest
from browser import open_page

import sim
from sim import report as report_module
from sim.report import figure_list, is_report, load, write_report

ROOT = Path(__file__).resolve().parent.parent

#: What each language's report must show: its title prefix, the first heading and a phrase of the key numbers.
EXPECTED = {
    "en": ("mobsim report: Scenario sweden_spring2020", "Scenario sweden_spring2020", "peaked at"),
    "sv": ("mobsim-rapport: Scenario sweden_spring2020", "Scenario sweden_spring2020", "nådde sin topp"),
}
#: English that must not be left in the Swedish report (whole words, case-sensitive, outside names and scenario keys;
#: not words that are Swedish too, such as "region", "regions" (genitive) or "by").
ENGLISH = (
    "the", "and", "of", "were", "was", "at", "with", "staff", "patients", "nurses", "days", "hours", "week", "weeks",
    "Key", "numbers", "Figures", "Tables", "Summary", "provenance", "resolved", "values", "peaked", "Sweden", "ICU",
    "required", "supplied", "replication", "replications", "mean", "loans", "pool", "homes",
    "residents", "fatigue", "Fatigue", "care", "debt", "operations", "Planned", "title", "value", "unit", "sick", "left",
)  # fmt: skip


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    scenario = sim.load_scenario(ROOT / "scenarios" / "sweden_spring2020.toml", **{"world.scale": 0.02, "time.end": "2020-05-01"})
    return sim.run(scenario, seed=2).save(tmp_path_factory.mktemp("browser") / "run")


@pytest.fixture(scope="module")
def swedish(run_folder) -> tuple[Path, list[str]]:
    """The Swedish report, and every text drawn in its figures (collected as each figure is turned into PNG)."""
    texts: list[str] = []
    png = report_module._png

    def collect(fig):
        texts.extend(t.get_text() for t in fig.findobj(matplotlib.text.Text))
        return png(fig)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(report_module, "_png", collect)
        path = write_report(run_folder, out=run_folder / "rapport.html", lang="sv")
    return path, texts


@pytest.fixture(scope="module")
def reports(run_folder, swedish) -> dict[str, Path]:
    return {"en": write_report(run_folder), "sv": swedish[0]}


def _english_words(text: str, names: tuple[str, ...] = ("sweden_spring2020",)) -> list[str]:
    """The words of ``ENGLISH`` in ``text``, leaving out names, scenario keys (world.scale) and options (--replications)."""
    for name in names:
        text = text.replace(name, " ")
    text = re.sub(r"--[\w-]+|`[^`]*`|\b\w+\.\w+(\.\w+)*\b", " ", text)
    return sorted({w for w in re.findall(r"[A-Za-z]+", text) if w in ENGLISH})


def _visible(page_html: str) -> str:
    """The text a reader sees, without the scenario's and manifest's JSON (keys, not prose), the CSS and the images."""
    text = re.sub(r"<style>.*?</style>|<pre>.*?</pre>|<code>.*?</code>", " ", page_html, flags=re.S)
    text = re.sub(r'src="data:[^"]*"', "", text)
    text = re.sub(r"<tr>\s*<th>[a-z_0-9]+</th>", "<tr>", text)  # a run's summary rows are named by their summary.csv column
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


def test_swedish_report_has_no_english_left(swedish):
    path, _ = swedish
    page = path.read_text(encoding="utf-8")
    assert '<html lang="sv">' in page
    assert is_report(path)
    for heading in ("Nyckeltal", "Figurer", "Tabeller", "Scenario och ursprung"):
        assert f">{heading}<" in page, heading
    assert ">Sammanfattning av körningen (i skala" in page and ">Regioner, sämst först" in page  # the tables' titles, with the scale
    text = _visible(page)
    assert not _english_words(text), _english_words(text)
    assert "intensivvårdssjuksköterska" in text and "särskilda boenden" in text and "krislägesavtalet" in text
    assert re.search(r"den \d{1,2} april 2020", text), "a Swedish date in the key numbers"
    assert re.search(r"\d,\d+\u00a0%", text), "a percentage with a decimal comma and a no-break space"


def test_swedish_figures_have_no_english_left(swedish):
    _, texts = swedish
    drawn = " ".join(t for t in texts if t)
    assert "Covid-19-patienter på IVA, Sverige" in drawn and "hemtjänst" in drawn and "mars" in drawn
    assert not _english_words(drawn), _english_words(drawn)


@pytest.mark.parametrize("language", ["en", "sv"])
def test_report_shows_every_figure_in_chromium_without_the_network(reports, language):
    report = reports[language]
    title, heading, phrase = EXPECTED[language]
    expected = len(figure_list(load(report.parent)))
    with open_page() as page:
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(report.as_uri())
        page.wait_for_load_state("load")
        assert page.title().startswith(title)
        assert page.locator("h1").inner_text() == heading
        assert page.evaluate("() => document.documentElement.lang") == language
        images = page.locator("figure img")
        assert images.count() == expected
        sizes = page.evaluate(
            "() => [...document.querySelectorAll('figure img')].map(i => [i.complete, i.naturalWidth, i.naturalHeight, i.clientWidth])"
        )
        for complete, natural_width, natural_height, shown_width in sizes:
            assert complete and natural_width >= 500 and natural_height >= 300, sizes
            assert shown_width > 300, "the figure is laid out on the page"
        assert phrase in page.locator("ul.key").inner_text()
        assert page.locator("table").count() >= 1
    assert all(url.startswith(("file:", "data:")) for url in requests), requests
