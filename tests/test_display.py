"""Readable repr, HTML and Markdown of every result type, and the ranking list."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from conftest import NOW
from sample_results import HOSTILE, every_result

import b2bfunnel as bf

RESULTS = every_result()
# Results whose notebook display is their summary(): tests/test_summaries.py checks it.
SUMMARISED = {
    "AttributionReport",
    "Evaluation",
    "FittedModel",
    "NPSComparison",
    "TimeSplit",
    "VelocityComparison",
}


@pytest.mark.parametrize("name", sorted(RESULTS))
def test_repr_is_one_readable_line(name: str) -> None:
    """repr shows no internal tuples, no datetime constructors and fits a line or two."""
    text = repr(RESULTS[name])
    assert "\n" not in text
    assert "datetime.datetime(" not in text
    assert "rows=" not in text
    assert "Decimal(" not in text
    assert len(text) < 700


@pytest.mark.parametrize("name", sorted(RESULTS))
def test_html_escapes_and_uses_inline_styles_only(name: str) -> None:
    """No name becomes markup; no style sheet, class or script is emitted."""
    page = RESULTS[name]._repr_html_()
    assert "<script" not in page
    assert "<style" not in page and "class=" not in page and "<link" not in page
    if HOSTILE in repr(RESULTS[name]) or name in ("Ranking", "Report", "AttributionReport"):
        assert "&lt;script&gt;" in page


@pytest.mark.parametrize("name", sorted(RESULTS))
def test_markdown_has_a_title_and_a_table(name: str) -> None:
    """Markdown starts with the bold title and holds a pipe table without raw markup."""
    text = RESULTS[name]._repr_markdown_()
    assert text.startswith("**")
    assert "\n|" in text
    assert "<script" not in text


def _cells(page: str) -> list[str]:
    return re.findall(r"<td[^>]*>(.*?)</td>", page)


def test_score_repr_names_the_top_reasons_and_iso_time() -> None:
    """The Score repr carries lead, total, band, ISO as_of and the top contributions."""
    score = RESULTS["Score"]
    text = repr(score)
    assert f"lead_id={score.lead_id!r}" in text
    assert score.as_of.isoformat() in text
    for contribution in score.top_reasons(2):
        assert f"{contribution.points:+g} {contribution.rule[:10]}" in text


def test_nps_html_holds_the_figures_and_interval() -> None:
    """The NPS table shows n, the score and both ends of the interval."""
    result = RESULTS["NPSResult"]
    cells = _cells(result._repr_html_())
    assert str(result.n) in cells
    assert repr(result.score) in cells
    low, high = (round(x, 4) for x in result.interval)
    assert f"[{low!r}, {high!r}]" in cells


def test_report_html_has_a_row_per_cell() -> None:
    """Each segment x period cell appears with its n and score."""
    report = RESULTS["Report"]
    page = report._repr_html_()
    rows = re.findall(r"<tr>(.*?)</tr>", page)
    for cell in report.cells:
        assert any(f">{cell.period}<" in row and f">{cell.result.n}<" in row for row in rows), cell


def test_ranking_is_still_the_list_of_scores() -> None:
    """rank() returns a list of Score: equal to a list, sliceable, sortable."""
    ranking = RESULTS["Ranking"]
    assert isinstance(ranking, list)
    assert all(isinstance(s, bf.Score) for s in ranking)
    assert ranking == list(ranking)
    assert ranking[:1] == [ranking[0]]
    assert sorted(ranking, key=lambda s: s.lead_id)[0].lead_id == min(s.lead_id for s in ranking)


def test_ranking_html_shows_at_most_twenty_rows_and_the_bands() -> None:
    """A long ranking shows its top 20 leads, says how many more, and counts each band."""
    leads = [{"id": f"L{i:02}", "job_title": "CIO", "employees": 600 * (i % 2)} for i in range(25)]
    events = [bf.Event(f"L{i:02}", "webinar_completed", NOW - timedelta(days=i)) for i in range(9)]
    ranking = bf.ScoringModel.default().rank(leads, events, as_of=NOW)
    page = ranking._repr_html_()
    body_rows = re.findall(r"<tr><td", page)
    bands = ranking.bands()
    assert len(body_rows) == 20
    assert "5 more rows" in page
    assert sum(bands.values()) == 25
    for band, count in bands.items():
        assert f">{band}</th><td" in page and f">{count}</td>" in page
    assert ranking[0].lead_id in page and ranking[-1].lead_id not in page


def test_ranking_repr_elides_past_twenty() -> None:
    """The repr of a long ranking says how many scores it leaves out."""
    leads = [{"id": f"L{i:02}"} for i in range(23)]
    ranking = bf.ScoringModel.default().rank(leads, [], as_of=NOW)
    assert repr(ranking).endswith("…(+3)]")


@pytest.mark.parametrize(
    "name", sorted(set(RESULTS) - {"Ranking", "Score", "Portfolio"} - SUMMARISED)
)
def test_html_holds_every_figure_of_its_rows(name: str) -> None:
    """Each whole number and figure of the result's flat rows is a cell of its HTML."""
    result = RESULTS[name]
    cells = set(_cells(result._repr_html_()))
    for row in bf.to_records(result)[:20]:
        for key, value in row.items():
            if key.endswith(("_low", "_high")) or isinstance(value, bool):
                continue
            if isinstance(value, int):
                assert str(value) in cells, (key, value)
            elif isinstance(value, float):
                assert repr(round(value, 4)) in cells, (key, value)


def test_evaluation_html_holds_auc_and_band_rates() -> None:
    """The evaluation shows its n, AUC with interval, and each band's n and rate."""
    evaluation = RESULTS["Evaluation"]
    cells = _cells(evaluation._repr_html_())
    assert str(evaluation.n) in cells and repr(round(evaluation.auc, 4)) in cells
    low, high = (round(x, 4) for x in evaluation.auc_interval)
    assert f"[{low!r}, {high!r}]" in cells
    for stats in evaluation.by_band.values():
        assert str(stats.n) in cells and repr(round(stats.rate, 4)) in cells


def test_portfolio_html_holds_each_chosen_candidate() -> None:
    """The portfolio shows its cost and reach, and a row per chosen candidate."""
    portfolio = RESULTS["Portfolio"]
    page = portfolio._repr_html_()
    rows = re.findall(r"<tr>(.*?)</tr>", page)
    assert f">{portfolio.total_cost}<" in page
    for fit in portfolio.selected:
        handle = fit.handle.replace("<", "&lt;").replace(">", "&gt;")
        assert any(f">{handle}<" in row and f">{fit.score!r}<" in row for row in rows)
