"""Results for spreadsheets and the PDF report's text: ``--xlsx`` workbooks, ``--csv sv`` (Swedish Excel), copyable PDFs.

Small runs (world.scale 0.02, 1–31 March): the files are opened as a planner's tools would (openpyxl for the
workbooks, ``pd.read_csv`` with Swedish Excel's settings, pypdf for the text a PDF reader copies).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from helpers import no_temp_files, one_error_line

import sim.workbook as workbook
from sim.cli import main

pypdf = pytest.importorskip("pypdf")

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "scenarios" / "sweden_spring2020.toml"
STRATEGIES = ROOT / "scenarios" / "strategies"
TINY = ["--set", "world.scale=0.02", "--set", "time.end=2020-03-31"]
DAYS, REGIONS = 31, 21
SV = {"sep": ";", "decimal": ",", "encoding": "utf-8-sig"}


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("workbook") / "run"
    assert main(["run", str(BASE), "--seed", "4", *TINY, "--out", str(out), "--quiet", "--csv", "sv", "--xlsx"]) == 0
    return out


@pytest.fixture(scope="module")
def compare_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("workbook") / "compare"
    strategies = [str(STRATEGIES / "as_happened_2020.toml"), str(STRATEGIES / "national_pool_large.toml")]
    args = ["compare", *strategies, "--replications", "3", "--seed", "5", *TINY, "--out", str(out), "--quiet", "--csv", "sv", "--xlsx"]
    assert main(args) == 0
    return out


def sheet(book: openpyxl.Workbook, name: str) -> pd.DataFrame:
    rows = list(book[name].values)
    return pd.DataFrame(rows[1:], columns=rows[0])


def items(book: openpyxl.Workbook) -> dict[str, object]:
    """The provenance sheet's (item, value) rows (the TOML lines have no item)."""
    return {item: value for item, value in book["provenance"].values if item}


def check_header(book: openpyxl.Workbook) -> None:
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert all(cell.font.bold for cell in ws[1]), ws.title
        assert len(ws.title) <= 31


# --------------------------------------------------------------------------- workbooks


def test_a_runs_workbook_has_the_summary_daily_regions_and_provenance(run_dir):
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert "results.xlsx" in manifest["files"]  # the folder's checks know it as mobsim's
    book = openpyxl.load_workbook(run_dir / "results.xlsx")
    assert book.sheetnames == ["summary", "regions", "daily_regions", "provenance"]
    check_header(book)

    summary = sheet(book, "summary")
    assert list(summary.columns) == ["indicator", "title", "value", "unit"]
    expected = pd.read_parquet(run_dir / "summary.parquet").iloc[0]
    row = summary.set_index("indicator")
    assert row.loc["unsafe_icu_patient_days", "value"] == pytest.approx(expected["unsafe_icu_patient_days"], rel=1e-12)
    assert row.loc["unsafe_icu_patient_days", "title"] == "Unsafe ICU care"
    assert row.loc["staff_employed", "value"] == expected["staff_employed"]
    ws = book["summary"]
    formats = {ws.cell(r, 1).value: ws.cell(r, 3) for r in range(2, ws.max_row + 1)}
    assert formats["staff_employed"].number_format == "#,##0"
    assert formats["homes_with_outbreak_share"].number_format == "0.0%"
    assert isinstance(formats["peak_covid_icu_date"].value, dt.datetime) and formats["peak_covid_icu_date"].number_format == "yyyy-mm-dd"

    daily = sheet(book, "daily_regions")
    assert len(daily) == DAYS * REGIONS
    assert {"date", "region", "region_name", "level", "covid_icu_patients", "unsafe_patients", "staff_on_loan_in"} <= set(daily.columns)
    assert list(daily.columns[:3]) == ["date", "region", "region_name"]
    assert "Jämtland Härjedalen" in set(daily["region_name"])
    assert isinstance(daily["date"].iat[0], dt.datetime)
    icu = pd.read_parquet(run_dir / "icu.parquet")
    assert daily["covid_icu_patients"].astype(float).sum() == pytest.approx(icu["covid_icu_patients"].sum(), rel=1e-9)

    facts = items(book)
    assert facts["seed"] == 4 and facts["world.scale"] == 0.02
    assert "full-scale ≈ ×50" in facts["note"]
    assert facts["scenario"] == "sweden_spring2020"
    assert "--xlsx" in facts["command line"] and facts["command line"].startswith("mobsim run")
    assert {"mobsim version", "git commit", "written (UTC)"} <= set(facts)
    lines = [value for _, value in book["provenance"].values]
    assert "[world]" in lines and "scale = 0.02" in lines  # the scenario as TOML


def test_swedish_csv_reads_back_as_the_frames(run_dir):
    for name in ("icu", "regions", "staff", "summary"):
        path = run_dir / f"{name}.csv"
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark, as Excel needs"
        assert b";" in raw.splitlines()[0]
        back = pd.read_csv(path, **SV)
        frame = pd.read_parquet(run_dir / f"{name}.parquet")
        if "region" in frame:
            assert list(back.columns).index("region_name") == list(back.columns).index("region") + 1
            names = dict(zip(back["region"], back["region_name"], strict=True))
            assert names["jamtland"] == "Jämtland Härjedalen" and names["vastra_gotaland"] == "Västra Götaland"
            back = back.drop(columns="region_name")
        for column in frame.columns:
            if pd.api.types.is_datetime64_any_dtype(frame[column]):
                back[column] = pd.to_datetime(back[column])
                frame[column] = frame[column].astype("datetime64[ns]")
            elif not pd.api.types.is_numeric_dtype(frame[column]):
                frame[column], back[column] = frame[column].astype(str), back[column].astype(str)
        pd.testing.assert_frame_equal(back, frame, check_dtype=False, rtol=1e-12)


def test_the_default_csv_is_unchanged(tmp_path):
    out = tmp_path / "run"
    assert main(["run", str(BASE), *TINY, "--out", str(out), "--quiet", "--csv"]) == 0
    raw = (out / "icu.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and raw.splitlines()[0].startswith(b"date,region,region_name,")
    assert json.loads((out / "manifest.json").read_text())["csv_dialect"] == "comma"
    assert not (out / "results.xlsx").exists()
    pd.testing.assert_frame_equal(pd.read_csv(out / "summary.csv"), pd.read_csv(out / "summary.csv", sep=","))


def test_a_comparisons_workbook_has_the_intervals_and_the_daily_means(compare_dir):
    book = openpyxl.load_workbook(compare_dir / "results.xlsx")
    assert book.sheetnames == ["summary", "comparison", "runs", "regions", "daily_regions", "provenance"]
    check_header(book)
    comparison = pd.read_parquet(compare_dir / "comparison.parquet")
    table = sheet(book, "comparison")
    assert list(table.columns) == [
        "strategy",
        "indicator",
        "title",
        "unit",
        "mean",
        "ci_low",
        "ci_high",
        "diff_mean",
        "diff_low",
        "diff_high",
    ]
    last = comparison.iloc[-1]
    mine = table.iloc[-1]
    assert (mine["strategy"], mine["indicator"]) == (last["strategy"], last["indicator"])
    for column in ("mean", "ci_low", "ci_high", "diff_mean", "diff_low", "diff_high"):
        assert mine[column] == pytest.approx(last[column], rel=1e-12)
    summary = sheet(book, "summary").set_index("indicator")
    first = comparison.iloc[0]
    assert summary.loc[first["indicator"], first["strategy"]] == pytest.approx(first["mean"], rel=1e-12)
    assert len(sheet(book, "runs")) == 2 * 3
    daily = sheet(book, "daily_regions")
    assert len(daily) == 2 * DAYS * REGIONS  # the mean over the replications per strategy, day and region
    assert set(daily["replications"]) == {3}
    region = pd.read_parquet(compare_dir / "region_daily.parquet")
    one = region[(region["strategy"] == "national_pool_large") & (region["region"] == "stockholm")]
    mean = one.groupby("date")["icu_nurses"].mean().iloc[-1]
    mine = daily[(daily["strategy"] == "national_pool_large") & (daily["region"] == "stockholm")]["icu_nurses"].iloc[-1]
    assert mine == pytest.approx(mean, rel=1e-12)
    facts = items(book)
    assert facts["replications"] == 3 and facts["seeds"] == "5 to 7" and facts["world.scale"] == 0.02
    assert facts["reference"] == "as_happened_2020"
    lines = [value for _, value in book["provenance"].values]
    assert 'name = "national_pool_large"' in lines


def test_a_comparisons_csv_in_swedish(compare_dir):
    back = pd.read_csv(compare_dir / "comparison.csv", **SV)
    pd.testing.assert_frame_equal(back, pd.read_parquet(compare_dir / "comparison.parquet"), check_dtype=False, rtol=1e-12)
    for name in ("runs", "national_daily", "region_daily", "unit_daily", "loans", "pool_deployments"):
        assert (compare_dir / f"{name}.csv").read_bytes().startswith(b"\xef\xbb\xbf"), name
    runs = pd.read_csv(compare_dir / "runs.csv", **SV)
    assert runs["unsafe_icu_patient_days"].to_numpy() == pytest.approx(
        pd.read_parquet(compare_dir / "runs.parquet")["unsafe_icu_patient_days"].to_numpy(), rel=1e-12
    )


def test_a_sweeps_workbook(tmp_path, capsys):
    exp = tmp_path / "exp.toml"
    exp.write_text(
        f'name = "wb"\nscenario = "{BASE.as_posix()}"\nreplications = 1\nseed = 2\n'
        'indicators = ["unsafe_icu_patient_days", "pool_members_deployed"]\n'
        '[set]\n"world.scale" = 0.02\n"time.end" = 2020-03-15\n'
        '[[variants]]\nname = "a"\n[[variants]]\nname = "b"\nset = { "levers.loans.enabled" = false }\n',
        encoding="utf-8",
    )
    out = tmp_path / "store"
    for _ in range(2):  # the second time over the workbook of the first: the store knows it as its own
        assert main(["sweep", str(exp), "--out", str(out), "--quiet", "--xlsx"]) == 0
    capsys.readouterr()
    book = openpyxl.load_workbook(out / "results.xlsx")
    assert book.sheetnames == ["means", "runs", "points", "provenance"]
    check_header(book)
    means = sheet(book, "means")
    assert list(means["variant"]) == ["a", "b"] and {"runs", "unsafe_icu_patient_days"} <= set(means.columns)
    assert len(sheet(book, "runs")) == 2
    facts = items(book)
    assert facts["seeds"] == "2" and facts["replications"] == 1 and facts["world.scale"] == 0.02
    lines = [value for _, value in book["provenance"].values]
    assert "replications = 1" in lines, "the experiment file's text"
    assert no_temp_files(out)
    assert main(["report", str(out)]) == 0


@pytest.mark.parametrize("command", ["run", "compare"])
def test_an_unknown_csv_dialect_is_refused_before_anything_runs(tmp_path, capsys, command):
    out = tmp_path / "out"
    code = main([command, str(BASE), *TINY, "--out", str(out), "--quiet", "--csv", "semicolon"])
    assert code == 2
    line = one_error_line(capsys.readouterr().err)
    assert "--csv: semicolon: unknown CSV dialect 'semicolon'; expected one of comma, sv" in line
    assert not out.exists()


def test_write_workbook_refuses_what_excel_refuses_and_leaves_nothing_half_written(tmp_path, monkeypatch):
    frame = pd.DataFrame({"a": [1, 2]})
    target = tmp_path / "book.xlsx"
    with pytest.raises(ValueError, match="expected 1 to 31 characters"):
        workbook.write_workbook(target, {"x" * 32: frame})
    with pytest.raises(ValueError, match="used twice"):
        workbook.write_workbook(target, {"Summary": frame, "summary": frame})
    monkeypatch.setattr(workbook, "EXCEL_MAX_ROWS", 2)
    with pytest.raises(ValueError, match="Excel opens at most 1 below the header"):
        workbook.write_workbook(target, {"a": frame})
    monkeypatch.undo()
    assert not target.exists()

    def broken(path, sheets):
        path.write_bytes(b"PK half a workbook")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(workbook, "_write", broken)
    with pytest.raises(OSError):
        workbook.write_workbook(target, {"a": frame})
    assert list(tmp_path.iterdir()) == []


def test_more_sheets_are_one_entry_each(tmp_path):
    """How the per-region table (or any other) joins a workbook: one more entry of the sheets dict."""
    frame = pd.DataFrame(
        {
            "region": ["stockholm", "jamtland"],
            "worst_week": pd.to_datetime(["2020-04-06", "2020-04-13"]),
            "unsafe_days": [3, 0],
            "coverage": [0.8, 0.25],
        }
    )
    path = workbook.write_workbook(tmp_path / "b.xlsx", {"summary": frame, "regions": frame})
    ws = openpyxl.load_workbook(path)["regions"]
    assert [c.value for c in ws[1]] == ["region", "region_name", "worst_week", "unsafe_days", "coverage"]
    assert [c.number_format for c in ws[2]][2:] == ["yyyy-mm-dd", "#,##0", "0.0%"]
    assert ws["B3"].value == "Jämtland Härjedalen"


# --------------------------------------------------------------------------- the PDF report


def page_lines(page) -> list[tuple[str, float, float, str]]:
    """The text pieces of a PDF page as a reader copies them: (text, x, size, font), in drawing order."""
    out = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            out.append((text, cm[4] + tm[4], size, str((font or {}).get("/BaseFont", ""))))

    page.extract_text(visitor_text=visit)
    return out


def check_within_page(reader) -> None:
    """No text of the report's own pages (A4: text, tables, provenance) runs past the page's right edge: each piece's
    start plus its width as drawn. Figures' pages are matplotlib's own layout (checked by tests/test_report.py)."""
    from sim.report import PDF_MARGIN, _text_width

    a4 = {round(72 * 8.27), round(72 * 11.69)}
    checked = 0
    for number, page in enumerate(reader.pages):
        width = float(page.mediabox.width)
        if {round(width), round(float(page.mediabox.height))} != a4:
            continue
        for text, x, size, font in page_lines(page):
            checked += 1
            family = "monospace" if "Mono" in font else "sans-serif"
            weight = "bold" if "Bold" in font else "normal"
            right = x + _text_width(text.rstrip("\n"), size, family, weight)
            assert right <= width - PDF_MARGIN / 2, f"page {number + 1}: {text[:60]!r} ends at {right:.0f} of {width:.0f} pt"
    assert checked > 10


def check_pdf_text(path: Path, comparison: pd.DataFrame, seeds: str) -> None:
    """The PDF report of a comparison of as_happened_2020 and national_pool_large at scale 0.02, as a reader copies it:
    words with "ff" whole, the last comparison row, the provenance, no Type 3 font, no line past the page
    (called by tests/test_report.py on the report it writes)."""
    reader = pypdf.PdfReader(path)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "differences are paired" in text  # "ff" copies as two letters, once (Type 3 fonts gave "d i ff e r e n c e s")
    assert "staffff" not in text and "s t a f f" not in text
    assert "icu_staff_fatigue_end" in text
    last = comparison.iloc[-1]
    assert any(line.startswith(last["strategy"]) and last["indicator"] in line for line in text.splitlines()), "the last comparison row"
    for fact in (f"seeds: {seeds}", "world.scale: 0.02", "full-scale ≈ ×50", "reference: as_happened_2020"):
        assert fact in text, fact
    assert "levers.national_pool.size = 1600" in text  # what the second strategy changes
    fonts = {str(f.get_object()["/Subtype"]) for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    assert "/Type3" not in fonts
    check_within_page(reader)


def test_pdf_tables_paginate_with_the_header_and_long_titles_wrap(tmp_path):
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    from sim.report import A4_LANDSCAPE, PDF_RC, _Flow

    rows = 80
    frame = pd.DataFrame({"strategy": [f"strategy_{i % 3}" for i in range(rows)], "row_id": [f"row {i}" for i in range(rows)]})
    for k in range(20):
        frame[f"indicator_number_{k}"] = [i * 1000.5 + k for i in range(rows)]
    title = "A title of a table that is much longer than the page is wide: " + "ICU staff fatigue and planned care " * 8
    path = tmp_path / "t.pdf"
    with plt.rc_context(PDF_RC), PdfPages(path) as pdf:
        flow = _Flow(pdf, A4_LANDSCAPE)
        flow.table(title, frame, keys=2)
        flow.finish()
    reader = pypdf.PdfReader(path)
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 4, "80 rows of 22 wide columns: two pages, two column parts"
    for page in pages:
        assert "staff fatigue" in page.replace("\n", " ")  # the title, wrapped, on every page
        assert any(line.startswith("strategy") and "row_id" in line for line in page.splitlines()), "the header on every page"
    text = "\n".join(pages)
    assert text.count("row 79") == len([p for p in pages if "row 79" in p]) >= 2, "the last row in every column part"
    assert "indicator_number_19" in text and "(continued)" in text and "part 2 of" in text
    check_within_page(reader)
