"""Charts of results with matplotlib (the ``b2bfunnel[plot]`` extra).

Every plottable result has ``.plot(ax=None)``, which draws on ``ax`` (a new figure
when None) and returns the Axes; :func:`plot` does the same for any of them.
matplotlib is imported only here, inside the function drawing. Each result class
names its charts (``_charts``: kind and the function here that draws it).

=======================  ===============================================================
result                    chart
=======================  ===============================================================
ranking (``rank()``)      leads per band, best band first
``NPSResult``             the score with its interval
``Report``                NPS per segment/period with interval bars (small cells paler)
``NPSComparison``         both NPS with their intervals, and the difference in the title
``VelocityComparison``    per cohort against the baseline: the four levers as a waterfall
``FunnelMetrics``         leads reaching each stage, with the conversion rate to the next
``AttributionReport``     credit per channel (or campaign, KOL), one bar per model
``Portfolio``             qualified reach against cost per post of every candidate with
                          a cost, the chosen ones highlighted and labelled
``Evaluation``            conversion by band with intervals; ``kind="lift"``: lift per
                          decile; ``kind="capture"``: share of conversions found
``FittedModel``           calibration: observed rate (with interval) against predicted
``Timeline``              a lead's score at each step (``history()``)
``AccountScore``          each fit rule's and each contact's share of the points
``AccountRanking``        fit and engagement of the top accounts, stacked
``ArmComparison``         each arm's conversion rate with its interval, control in grey
=======================  ===============================================================
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import InvalidInputError

__all__ = ["plot"]

_CHOSEN, _OTHER, _PALE = "#1f77b4", "#bbbbbb", "#aec7e8"
_UP, _DOWN = "#2ca02c", "#d62728"


def plot(result: object, ax: Any = None, kind: str | None = None) -> Any:
    """Draw ``result`` on ``ax`` (a new figure when None) and return the Axes.

    ``kind`` picks one of several charts where a result has more (an ``Evaluation``:
    ``"bands"``, ``"lift"``, ``"capture"``); the first is the default.
    """
    kinds: Charts | None = getattr(type(result), "_charts", None)
    if not kinds:
        raise InvalidInputError(
            f"no chart for {type(result).__name__}; charts exist for the results with a "
            ".plot() method",
            path="result",
        )
    draw = kinds[0][1] if kind is None else dict(kinds).get(kind)
    if draw is None:
        allowed = ", ".join(name for name, _ in kinds)
        raise InvalidInputError(f"unknown kind {kind!r}; allowed: {allowed}", path="kind")
    axes = axes_on(ax)
    draw(result, axes)
    return axes


def axes_on(ax: Any) -> Any:
    """``ax``, or the Axes of a new figure when None."""
    if ax is not None:
        return ax
    try:
        import matplotlib.pyplot as plt  # the optional plot extra, imported only when used
    except ImportError as exc:
        raise ImportError(
            'plotting needs matplotlib: pip install "b2bfunnel[plot]"', name=exc.name
        ) from exc
    _figure, axes = plt.subplots()
    return axes


def _errors(values: list[float], intervals: list[Any]) -> list[list[float]]:
    """Asymmetric error bar lengths (below, above) of ``values`` from their intervals."""
    # An adjusted-Wald NPS interval is centred off the score and may leave it outside.
    below = [max(0.0, v - i[0]) if i else 0.0 for v, i in zip(values, intervals, strict=True)]
    above = [max(0.0, i[1] - v) if i else 0.0 for v, i in zip(values, intervals, strict=True)]
    return [below, above]


def ranking_bands(ranking: Any, ax: Any) -> None:
    bands = ranking.bands()
    ax.bar(list(bands), list(bands.values()), color=_CHOSEN)
    ax.set_xlabel("band")
    ax.set_ylabel("leads")
    ax.set_title(f"{len(ranking)} leads by band")


def nps_score(result: Any, ax: Any) -> None:
    ax.bar(["NPS"], [result.score], yerr=_errors([result.score], [result.interval]), capsize=6)
    ax.set_ylim(-100, 100)
    ax.set_ylabel("NPS")
    ax.set_title(f"NPS {result.score:+.1f} (n={result.n})")


def report_cells(report: Any, ax: Any) -> None:
    labels = [" ".join(p for p in (c.segment, c.period) if p) or "all" for c in report.cells]
    values = [_figure(c.result) for c in report.cells]
    intervals = [getattr(c.result, "interval", None) for c in report.cells]
    colors = [_PALE if c.small else _CHOSEN for c in report.cells]
    ax.bar(labels, values, yerr=_errors(values, intervals), capsize=4, color=colors)
    ax.axhline(0, color="#888888", linewidth=0.8)
    ax.set_ylabel(report.metric.upper())
    ax.set_title(f"{report.metric.upper()} by {' and '.join(_dimensions(report))}")
    ax.tick_params(axis="x", labelrotation=45)


def _figure(result: Any) -> float:
    for name in ("score", "mean", "rate"):
        if hasattr(result, name):
            return float(getattr(result, name))
    raise InvalidInputError(f"no figure to draw in {type(result).__name__}", path="result")


def _dimensions(report: Any) -> list[str]:
    return [d for d in (report.by, report.period) if d] or ["overall"]


def nps_comparison(comparison: Any, ax: Any) -> None:
    values = [comparison.a.score, comparison.b.score]
    intervals = [comparison.a.interval, comparison.b.interval]
    ax.bar(["a", "b"], values, yerr=_errors(values, intervals), capsize=6, color=_CHOSEN)
    ax.set_ylabel("NPS")
    if comparison.p_value is None:  # too few answers or no spread: no test
        detail = "cannot conclude"
    else:
        mark = "significant" if comparison.significant else "not significant"
        detail = f"p={comparison.p_value:.3f}, {mark}"
    ax.set_title(f"difference {comparison.difference:+.1f} ({detail})")


_LEVERS = ("opportunities", "deal_value", "win_rate", "cycle_days")


def velocity_levers(comparison: Any, ax: Any) -> None:
    lifts = [(k, lift) for k, lift in comparison.lifts.items() if lift.levers]
    if not lifts:
        raise InvalidInputError(
            "no cohort has levers to draw: each needs won deals and a velocity above zero",
            path="comparison",
        )
    cohort, lift = lifts[0]
    steps = [lift.levers[name] for name in _LEVERS]
    bottoms = [sum(steps[:i]) for i in range(len(steps))]
    colors = [_UP if s >= 0 else _DOWN for s in steps]
    ax.bar(list(_LEVERS), steps, bottom=bottoms, color=colors)
    ax.bar(["total"], [lift.log_change], color=_CHOSEN)
    ax.axhline(0, color="#888888", linewidth=0.8)
    ax.set_ylabel("log change of velocity")
    ax.set_title(f"{cohort} against {comparison.baseline}: velocity x{lift.velocity_ratio:.2f}")


def funnel_stages(metrics: Any, ax: Any) -> None:
    stages = list(metrics.stages)
    names = [s.stage for s in stages]
    ax.barh(names, [s.reached for s in stages], color=_CHOSEN)
    ax.invert_yaxis()
    for position, stage in enumerate(stages):
        if stage.rate is not None:
            ax.annotate(
                f"{stage.rate:.0%} →",
                (stage.reached, position),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
            )
    ax.set_xlabel("records reaching the stage")
    ax.set_title(f"funnel of {metrics.records} records")


def attribution_credit(report: Any, ax: Any) -> None:
    rows = report.rows()
    keys = [str(row[report.by]) for row in rows]
    width = 0.8 / len(report.models)
    for i, model in enumerate(report.models):
        xs = [k + i * width for k in range(len(keys))]
        ax.bar(xs, [float(row[model]) for row in rows], width=width, label=model)
    ax.set_xticks([k + 0.4 - width / 2 for k in range(len(keys))], keys)
    ax.set_ylabel("credited revenue")
    ax.set_title(f"credit by {report.by}")
    ax.legend()


def portfolio_reach(portfolio: Any, ax: Any) -> None:
    chosen = {f.handle for f in portfolio.selected}
    priced = [(h, float(c), r) for h, c, r in portfolio.considered if c is not None]
    others = [(c, r) for h, c, r in priced if h not in chosen]
    picked = [(h, c, r) for h, c, r in priced if h in chosen]
    if others:
        ax.scatter(*zip(*others, strict=True), color=_OTHER, label="not chosen")
    if picked:
        ax.scatter([c for _, c, _ in picked], [r for _, _, r in picked], color=_CHOSEN,
                   label="chosen")  # fmt: skip
    for handle, cost, reach in picked:
        ax.annotate(handle, (cost, reach), xytext=(4, 4), textcoords="offset points")
    code = getattr(portfolio, "currency", None)  # an ISO code, never a symbol
    ax.set_xlabel("cost per post" if code is None else f"cost per post ({code})")
    ax.set_ylabel("qualified reach")
    if others and picked:
        ax.legend()
    ax.set_title(
        f"{len(chosen)} of {len(portfolio.considered)} chosen, "
        f"cost {portfolio.total_cost} of {portfolio.budget}{'' if code is None else ' ' + code}"
    )


def evaluation_bands(evaluation: Any, ax: Any) -> None:
    names = list(evaluation.by_band)
    stats = [evaluation.by_band[n] for n in names]
    values = [s.rate for s in stats]
    ax.bar(names, values, yerr=_errors(values, [s.interval for s in stats]), capsize=4)
    ax.set_xlabel("band")
    ax.set_ylabel("conversion rate")
    ax.set_title(f"conversion by band (n={evaluation.n})")


def evaluation_lift(evaluation: Any, ax: Any) -> None:
    deciles = evaluation.deciles
    ax.plot([d.decile for d in deciles], [d.lift for d in deciles], marker="o")
    ax.axhline(1.0, color="#888888", linewidth=0.8)
    ax.set_xlabel("decile (1 = highest scores)")
    ax.set_ylabel("lift")
    ax.set_title(f"lift by decile (AUC {_maybe(evaluation.auc)})")


def evaluation_capture(evaluation: Any, ax: Any) -> None:
    deciles = evaluation.deciles
    shares = [0.0] + [d.decile / len(deciles) for d in deciles]
    ax.plot(shares, [0.0] + [d.capture for d in deciles], marker="o", label="model")
    ax.plot([0, 1], [0, 1], color="#888888", linestyle="--", label="random")
    ax.set_xlabel("share of leads called, best scores first")
    ax.set_ylabel("share of conversions found")
    ax.set_title(f"capture (Gini {_maybe(evaluation.gini)})")
    ax.legend()


def _maybe(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def fitted_calibration(fitted: Any, ax: Any) -> None:
    bins = fitted.calibration
    observed = [b.observed.rate for b in bins]
    ax.errorbar(
        [b.predicted for b in bins],
        observed,
        yerr=_errors(observed, [b.observed.interval for b in bins]),
        fmt="o",
        capsize=4,
        label="observed",
    )
    ax.plot([0, 1], [0, 1], color="#888888", linestyle="--", label="perfect")
    ax.set_xlabel("predicted probability")
    ax.set_ylabel("observed conversion rate")
    ax.set_title(f"calibration of the {fitted.method} fit (n={fitted.n})")
    ax.legend()


def timeline_total(timeline: Any, ax: Any) -> None:
    points = timeline.points
    at = [p.at for p in points]
    ax.step(at, [p.total for p in points], where="post", color=_CHOSEN, label="score")
    names = list(points[0].scores) if points else []
    for name in names:  # a model's named scores, one line each
        ax.step(at, [p.scores[name].total for p in points], where="post", label=name)
    if names:
        ax.legend()
    ax.set_xlabel("as of")
    ax.set_ylabel("score")
    ax.set_title(f"score of {timeline.lead_id} over time")


def account_score(score: Any, ax: Any) -> None:
    labels = [f"fit: {rule}" for rule in score.rules]
    labels += [s.lead_id for s in score.contacts]
    values = list(score.rules.values()) + [score.shares.get(s.lead_id, 0.0) for s in score.contacts]
    ax.barh(labels[::-1], values[::-1])
    ax.set_xlabel("points")
    ax.set_title(f"{score.account_id}: {score.total:.1f} points")


def account_ranking(ranking: Any, ax: Any, top: int) -> None:
    """Stacked bars of fit and engagement of the ``top`` accounts (not registered as a
    chart: ``AccountRanking.plot`` passes ``top``)."""
    shown = ranking[:top][::-1]
    names = [s.account_id for s in shown]
    ax.barh(names, [s.fit for s in shown], label="fit")
    ax.barh(names, [s.engagement for s in shown], left=[s.fit for s in shown], label="engagement")
    ax.set_xlabel("points")
    ax.set_title(f"Top {len(shown)} of {len(ranking)} accounts")
    ax.legend()


def arm_rates(comparison: Any, ax: Any) -> None:
    names = [arm.name for arm in comparison.arms]
    rates = [arm.rate for arm in comparison.arms]
    errors = [
        [arm.rate - arm.interval[0] for arm in comparison.arms],
        [arm.interval[1] - arm.rate for arm in comparison.arms],
    ]
    colours = [_OTHER if name == comparison.control else _CHOSEN for name in names]
    ax.bar(names, rates, yerr=errors, color=colours, capsize=4)
    ax.set_ylabel("conversion rate")
    ax.set_title(f"{comparison.split}: winner {comparison.winner or 'none yet'}")


Draw = Callable[[Any, Any], None]
# A result class's charts, first the default: ``_charts: ClassVar[Charts]`` on it.
Charts = tuple[tuple[str, Draw], ...]
