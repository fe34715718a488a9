"""Charts checked through what they draw (Agg backend), never through pixels."""

from __future__ import annotations

import sys

import pytest
from sample_results import every_result

import b2bfunnel as bf
from b2bfunnel.plot import plot

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")
RESULTS = every_result()


@pytest.fixture(autouse=True)
def _close_figures() -> object:
    yield
    plt.close("all")


def _heights(ax: object) -> list[float]:
    return [bar.get_height() for bar in ax.patches]  # type: ignore[attr-defined]


def _error_ends(ax: object) -> list[tuple[float, float]]:
    (container,) = [c for c in ax.containers if hasattr(c, "has_yerr")]  # type: ignore[attr-defined]
    (segments,) = [lines.get_segments() for lines in container.lines[2]]
    return [(seg[0][1], seg[1][1]) for seg in segments]


def test_ranking_draws_leads_per_band() -> None:
    """One bar per band, as high as its count, labelled with the band."""
    ranking = RESULTS["Ranking"]
    ax = ranking.plot()
    bands = ranking.bands()
    assert _heights(ax) == list(bands.values())
    assert [t.get_text() for t in ax.get_xticklabels()] == list(bands)


def test_given_axes_are_drawn_on() -> None:
    """plot(ax=...) draws on the caller's Axes and returns it."""
    _fig, ax = plt.subplots()
    assert RESULTS["NPSResult"].plot(ax=ax) is ax
    assert len(ax.patches) == 1


def test_nps_report_bars_and_error_bars_equal_the_cells() -> None:
    """Bar heights are the cells' NPS; error bars span their intervals (stretched to the
    score where a small cell's adjusted-Wald interval leaves it outside)."""
    report = RESULTS["Report"]
    ax = report.plot()
    assert _heights(ax) == [c.result.score for c in report.cells]
    ends = _error_ends(ax)
    for (low, high), cell in zip(ends, report.cells, strict=True):
        assert low == pytest.approx(min(cell.result.interval[0], cell.result.score))
        assert high == pytest.approx(max(cell.result.interval[1], cell.result.score))


def test_nps_comparison_shows_both_intervals() -> None:
    """Two bars, their NPS and intervals, the difference in the title."""
    c = RESULTS["NPSComparison"]
    ax = c.plot()
    assert _heights(ax) == [c.a.score, c.b.score]
    assert _error_ends(ax) == [pytest.approx(c.a.interval), pytest.approx(c.b.interval)]
    assert f"{c.difference:+.1f}" in ax.get_title()


def test_velocity_waterfall_steps_are_the_levers() -> None:
    """Each lever a step starting where the previous ended; the total bar is log change."""
    comparison = RESULTS["VelocityComparison"]
    (lift,) = [lift for lift in comparison.lifts.values() if lift.levers]
    ax = comparison.plot()
    bars = ax.patches
    levers = ["opportunities", "deal_value", "win_rate", "cycle_days"]
    running = 0.0
    for bar, name in zip(bars[:4], levers, strict=True):
        assert bar.get_y() == pytest.approx(running)
        assert bar.get_height() == pytest.approx(lift.levers[name])
        running += lift.levers[name]
    assert bars[4].get_height() == pytest.approx(lift.log_change)
    assert running == pytest.approx(lift.log_change)


def test_funnel_bars_are_records_reaching_each_stage() -> None:
    """Horizontal bars as long as the stage counts, annotated with conversion rates."""
    metrics = RESULTS["FunnelMetrics"]
    ax = metrics.plot()
    assert [bar.get_width() for bar in ax.patches] == [s.reached for s in metrics.stages]
    notes = [t.get_text() for t in ax.texts]
    assert notes == [f"{s.rate:.0%} →" for s in metrics.stages if s.rate is not None]


def test_attribution_bars_are_the_credits_per_model() -> None:
    """One series per model; bar heights equal each channel's credit."""
    report = RESULTS["AttributionReport"]
    ax = report.plot()
    expected = [float(row[m]) for m in report.models for row in report.rows()]
    assert _heights(ax) == expected
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(report.models)


def test_portfolio_plots_every_priced_candidate_and_highlights_the_chosen() -> None:
    """A point per candidate with a cost at (cost per post, qualified reach); the chosen
    ones in their own colour and labelled with their handles."""
    brief = bf.KOLBrief(target_roles=["cto"])
    pool = [
        bf.KOLCandidate("@a", 5000, {"cto": 0.8}, 200, cost_per_post=500),
        bf.KOLCandidate("@b", 100000, {"cto": 0.05}, 900, cost_per_post=3000),
        bf.KOLCandidate("@c", 8000, {"cto": 0.5}, 300, cost_per_post=400),
        bf.KOLCandidate("@d", 9000, {"cto": 0.5}, 300),
    ]
    portfolio = bf.plan_portfolio(pool, brief, 1000)
    assert [f.handle for f in portfolio.selected] == ["@a", "@c"]
    ax = portfolio.plot()
    others, chosen = ax.collections
    assert [tuple(p) for p in others.get_offsets()] == [(3000.0, 5000.0)]
    assert [tuple(p) for p in chosen.get_offsets()] == [(500.0, 4000.0), (400.0, 4000.0)]
    assert tuple(others.get_facecolor()[0]) != tuple(chosen.get_facecolor()[0])
    assert [t.get_text() for t in ax.texts] == ["@a", "@c"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["not chosen", "chosen"]
    assert ax.get_title().startswith("2 of 4 chosen")


def test_evaluation_bands_lift_and_capture() -> None:
    """Conversion by band with its intervals, lift per decile, and cumulative capture."""
    evaluation = RESULTS["Evaluation"]
    stats = list(evaluation.by_band.values())
    ax = evaluation.plot()
    assert _heights(ax) == [s.rate for s in stats]
    for (low, high), s in zip(_error_ends(ax), stats, strict=True):
        assert (low, high) == (pytest.approx(s.interval[0]), pytest.approx(s.interval[1]))
    lift = evaluation.plot(kind="lift").lines[0]
    assert list(lift.get_ydata()) == [d.lift for d in evaluation.deciles]
    capture = evaluation.plot(kind="capture").lines[0]
    assert list(capture.get_ydata()) == [0.0] + [d.capture for d in evaluation.deciles]
    with pytest.raises(bf.InvalidInputError, match="allowed: bands, lift, capture"):
        evaluation.plot(kind="roc")


def test_calibration_points_are_observed_against_predicted() -> None:
    """Each calibration bin is drawn at its predicted probability and observed rate."""
    fitted = RESULTS["FittedModel"]
    ax = fitted.plot()
    bins = fitted.calibration
    points = ax.lines[0]
    assert list(points.get_xdata()) == [b.predicted for b in bins]
    assert list(points.get_ydata()) == [b.observed.rate for b in bins]
    for (low, high), b in zip(_error_ends(ax), bins, strict=True):
        assert (low, high) == (
            pytest.approx(b.observed.interval[0]),
            pytest.approx(b.observed.interval[1]),
        )


def test_no_chart_for_other_results() -> None:
    """Asking to plot a result without a chart names the ones that have one."""
    with pytest.raises(bf.InvalidInputError, match="charts exist for"):
        plot(RESULTS["WhatItTakes"])


def test_without_matplotlib_the_error_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With matplotlib missing, .plot() raises ImportError naming the extra."""
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r'pip install "b2bfunnel\[plot\]"'):
        RESULTS["NPSResult"].plot()
