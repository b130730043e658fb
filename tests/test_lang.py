"""The catalog of texts in English and Swedish (``sim/lang.py``, ``--lang sv``): nothing without a Swedish text, numbers
and dates in Swedish conventions, terminal tables in Swedish, and an unknown language refused.

The Swedish report itself (no English left, shown in Chromium) is checked in tests/test_report_browser.py, the dashboard's
Swedish labels in tests/test_dashboard.py.
"""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import one_error_line
from rich.console import Console

from sim import categories, figures, lang
from sim import indicators as registry
from sim.cli import _print_comparison, _summary_table, main
from sim.errors import OptionError
from sim.report import write_report

NBSP = "\u00a0"


# --------------------------------------------------------------------------- nothing without a Swedish text


def test_every_registered_indicator_has_a_swedish_title_and_unit():
    missing = lang.missing_indicators()
    assert not missing, f"indicators without a Swedish title and unit in sim.lang.INDICATORS_SV: {missing}"
    for indicator in registry.all():
        title, unit = lang.INDICATORS_SV[indicator.name]
        assert title, indicator.name
        assert bool(unit) == bool(indicator.unit), f"{indicator.name}: a unit in one language only"
        assert ("{k}" in title) == indicator.is_pattern, f"{indicator.name}: a wave family's title holds {{k}}"


def test_a_new_indicator_without_a_swedish_text_is_named(monkeypatch):
    new = registry.Indicator("icu_nurses_hugged", "ICU nurses hugged", "hugs", False, "a test's indicator")
    monkeypatch.setitem(registry._REGISTRY, new.name, new)
    assert lang.missing_indicators() == ["icu_nurses_hugged"]
    assert lang.indicator_title("icu_nurses_hugged", "sv") == "ICU nurses hugged"  # the English text until it has a Swedish one
    monkeypatch.setitem(lang.INDICATORS_SV, new.name, ("Kramade intensivvårdssjuksköterskor", "kramar"))
    assert lang.missing_indicators() == []
    assert lang.indicator_unit("icu_nurses_hugged", "sv") == "kramar"


def test_no_swedish_text_is_left_over_for_an_indicator_that_is_gone():
    names = {i.name for i in registry.all()}
    assert set(lang.INDICATORS_SV) <= names, sorted(set(lang.INDICATORS_SV) - names)


def test_wave_families_take_their_number_in_swedish():
    assert lang.indicator_title("wave2_staff_lost", "sv") == "Våg 2: förlorad personal fram till start"
    assert lang.indicator_title("icu_patient_days_tier3", "sv") == "IVA-vårddygn på nivå 3"
    assert lang.indicator_title("wave2_staff_lost") == registry.title("wave2_staff_lost")  # English: the registry's


def test_every_catalog_key_has_both_texts_with_the_same_placeholders():
    assert lang.LANGS == ("en", "sv") and lang.DEFAULT == "en"
    for key, texts in lang.TEXTS.items():
        assert len(texts) == len(lang.LANGS), key
        english, swedish = texts
        assert english.strip() and swedish.strip(), f"{key}: an empty text"
        # a Swedish text may leave out a value that only English grammar needs (the plural "s")
        assert lang.placeholders(swedish) <= lang.placeholders(english), f"{key}: Swedish placeholders not in the English text"
        assert lang.placeholders(english) - lang.placeholders(swedish) <= {"s"}, f"{key}: a value the Swedish text does not show"


def test_every_category_and_status_has_a_label():
    for kind, names in (("unit_kind", categories.UNIT_KINDS), ("profession", categories.PROFESSIONS), ("employer", categories.EMPLOYERS)):
        for name in names:
            assert f"{kind}.{name}" in lang.TEXTS, f"{kind}.{name}"
    assert lang.label("unit_kind", "home_care", "sv") == "hemtjänst"
    assert lang.label("unit_kind", "nursing_home", "sv") == "särskilt boende"
    assert lang.label("profession", "assistant_nurse", "sv") == "undersköterska"
    for column in figures.STATUS_STYLES:
        assert f"status.{column}" in lang.TEXTS, column
        assert figures.status_label(column) == figures.STATUS_STYLES[column][0]  # English as before
    for column, label in figures.ICU_STAFF_STATUSES:
        assert lang.t(f"icu_status.{column}") == label


def test_swedish_texts_use_the_swedish_terms():
    swedish = " ".join(texts[1] for texts in lang.TEXTS.values()) + " ".join(t for t, _ in lang.INDICATORS_SV.values())
    for term in ("krislägesavtalet", "IVA", "intensivvårdssjuksköterska", "särskilda boenden", "hemtjänst", "vårdskuld", "undersköterska"):
        assert term in swedish, term
    assert "ICU" not in swedish


# --------------------------------------------------------------------------- numbers and dates


def test_swedish_numbers_have_a_decimal_comma_and_spaces_between_thousands():
    assert lang.number(12345.0, "sv") == f"12{NBSP}345"
    assert lang.number(1234567, "sv") == f"1{NBSP}234{NBSP}567"
    assert lang.number(0.125, "sv") == "0,125"
    assert lang.number(-3.5, "sv") == "\u22123,5"
    assert lang.number(2.5, "sv", sign=True) == "+2,5"
    assert lang.number(0.5, "sv", decimals=3) == "0,500"
    assert lang.number(float("nan"), "sv") == "–"
    assert lang.percent(0.125, "sv") == "12,5"
    assert lang.t("sentence.run.staff", "sv", sick=lang.percent(0.125, "sv"), lost="0", fatigue="0,4").startswith(
        f"Som mest var 12,5{NBSP}%"
    )
    assert lang.g(0.05, "sv") == "0,05"
    assert lang.digits("-1,234.5", "sv") == f"\u22121{NBSP}234,5" and lang.digits("-1,234.5") == "-1,234.5"


def test_english_numbers_and_dates_are_as_before():
    from sim.text import fmt_number

    for value in (12345.0, 0.125, -3.5, 7, float("nan"), "text"):
        assert lang.number(value) == fmt_number(value)
    assert lang.date("2020-04-02") == "2020-04-02"
    assert lang.t("report.heading.key_numbers") == "Key numbers"


def test_swedish_dates():
    assert lang.date("2020-04-02", "sv") == "2 april 2020"
    assert lang.date(pd.Timestamp("2020-12-24"), "sv") == "24 december 2020"
    assert lang.short_date(pd.Timestamp("2020-03-09"), "sv") == "9 mars"
    assert lang.date("", "sv") == ""


# --------------------------------------------------------------------------- terminal tables


def _render(table) -> str:
    console = Console(record=True, width=120)
    console.print(table)
    return console.export_text()


def test_run_table_in_swedish():
    summary = pd.DataFrame([{"scenario": "sweden_spring2020", "unsafe_icu_patient_days": 12345.6, "peak_sick_share": 0.125}])
    text = _render(_summary_table(summary, "sweden_spring2020", 0, 336000, 122, "sv"))
    assert f"slumpfrö 0 · 336{NBSP}000 anställda · 122 dagar" in text
    assert "Osäker IVA-vård" in text and f"12{NBSP}346" in text and f"12,5{NBSP}%" in text  # a share in %
    assert "vårddygn under lägsta bemanningskvot" in text
    english = _render(_summary_table(summary, "sweden_spring2020", 0, 336000, 122))
    assert "seed 0 · 336,000 staff employed · 122 days" in english and "unsafe_icu_patient_days" in english


def test_comparison_tables_in_swedish(capsys):
    rows = []
    for strategy, diff in (("no_action", float("nan")), ("sweden_spring2020", -2.5)):
        rows.append(
            {
                "strategy": strategy,
                "indicator": "unsafe_icu_patient_days",
                "mean": 10.5,
                "ci_low": 9.25,
                "ci_high": 11.75,
                "diff_mean": diff,
                "diff_low": diff - 1,
                "diff_high": diff + 1,
            }
        )
    _print_comparison(pd.DataFrame(rows), replications=3, seed=0, language="sv")
    out = " ".join(capsys.readouterr().out.split())  # the titles wrap at the terminal's width
    assert "medelvärde [95 %-intervall] över 3 replikat (slumpfrön 0–2)" in out  # split() took the no-break space too
    assert "Osäker IVA-vård" in out and "[9, 12]" in out and "[\u22124, \u22122]" in out  # patient-days whole, Swedish minus
    assert "Δ mot no_action" in out


# --------------------------------------------------------------------------- an unknown language is refused


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "scenarios/sweden_spring2020.toml"],
        ["compare", "scenarios/sweden_spring2020.toml"],
        ["sweep", "experiments/x.toml"],
        ["report", "results/x"],
        ["dashboard"],
    ],
)
def test_unknown_language_is_refused(argv, capsys):
    assert main([*argv, "--lang", "xx"]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "--lang" in line and "'xx'" in line and "en" in line and "sv" in line


def test_write_report_refuses_an_unknown_language(tmp_path):
    with pytest.raises(OptionError, match=r"--lang.*expected one of en, sv, got 'xx'"):
        write_report(tmp_path, lang="xx")
    with pytest.raises(ValueError, match="expected one of en, sv"):
        lang.t("report.heading.figures", "de")


def test_every_column_of_the_regions_table_has_a_swedish_title():
    """The report's regions table takes its headings from the catalog (``regions.<column>``): English as sim.regional's."""
    from sim.regional import TITLES

    for column, title in TITLES.items():
        assert lang.t(f"regions.{column}", "en") == title, column
        assert lang.t(f"regions.{column}", "sv") != title, column
