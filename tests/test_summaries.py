"""summary() of the results that sum themselves up, and the Summary value behind it."""

from __future__ import annotations

import json
import pickle
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar

import attrs
import pytest
from conftest import NOW, demo_sample
from sample_results import HOSTILE, deals, evaluation_results

import b2bfunnel as bf
from b2bfunnel.records import Summary

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _headline(summary: Summary) -> dict[str, Any]:
    return dict(summary.headline)


def _body_rows(page: str) -> list[str]:
    return re.findall(r"<tr><td", page)


def _all_rows(page: str) -> int:
    """Every table row of an HTML display: headline rows, header row and body rows."""
    return page.count("<tr>")


def assert_valid_markdown_table(text: str) -> list[list[str]]:
    """The pipe table of ``text``: a header, a separator of the same width, then rows of
    the same width (escaped pipes are not separators); returns the body cells."""
    lines = [line for line in text.splitlines() if line.startswith("|")]
    assert len(lines) >= 2
    split = [[c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines]
    width = len(split[0])
    assert all(len(cells) == width for cells in split), split
    assert all(re.fullmatch(r"-{3,}:?", cell) for cell in split[1]), split[1]
    return split[2:]


def _pairwise_auc(scores: tuple[float, ...], labels: tuple[bool, ...]) -> float:
    """The AUC by its definition: how often a converter outscored a non-converter."""
    positives = [s for s, y in zip(scores, labels, strict=True) if y]
    negatives = [s for s, y in zip(scores, labels, strict=True) if not y]
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


class TestSummaryValue:
    """The Summary value: text, HTML, Markdown and data agree and stay bounded."""

    def _long(self, n: int = 25) -> Summary:
        return Summary(
            "Long <table>",
            [("rows", n), ("interval", (0.25, 0.75))],
            ["name", "value"],
            [[f"{HOSTILE}{i}", i] for i in range(n)],
            ["a note with <b>markup</b>"],
        )

    def test_html_shows_twenty_rows_then_how_many_more(self) -> None:
        """25 rows: 20 shown in HTML, then '… 5 more rows'; every text escaped."""
        page = self._long()._repr_html_()
        assert len(_body_rows(page)) == 20
        assert "… 5 more rows" in page
        assert "<script" not in page and "<b>" not in page and "<table>" not in page
        assert ESCAPED + "0" in page and "&lt;b&gt;markup&lt;/b&gt;" in page

    def test_markdown_is_a_bounded_valid_table(self) -> None:
        """Markdown: bold title, headline, a valid pipe table of 20 rows, the rest counted."""
        text = self._long()._repr_markdown_()
        assert text.startswith("**Long &lt;table&gt;**")
        body = assert_valid_markdown_table(text)
        assert len(body) == 20 and "… 5 more rows" in text
        assert "<script" not in text

    def test_text_holds_every_row_and_the_interval(self) -> None:
        """str() is the whole table, the interval as [low, high]."""
        text = str(self._long())
        assert f"{HOSTILE}24" in text and "[0.25, 0.75]" in text
        assert text.splitlines()[0] == "Long <table>"

    def test_to_dict_is_json_ready(self) -> None:
        """to_dict: headline as a mapping, intervals as lists, Decimal as text."""
        summary = Summary("t", [("revenue", Decimal("10.50"))], ["x", "ci"], [[1, (0.1, 0.2)]])
        data = summary.to_dict()
        assert json.loads(json.dumps(data)) == data
        assert data["headline"] == {"revenue": "10.50"}
        assert data["rows"] == [[1, [0.1, 0.2]]]

    def test_an_empty_table_keeps_its_header(self) -> None:
        """No rows: the header still names the columns, and the Markdown stays valid."""
        report = bf.attribute([], [], models=["linear", "markov"])
        text = report._repr_markdown_()
        assert assert_valid_markdown_table(text) == []
        assert "| channel | linear | markov |" in text
        assert ">markov</th>" in report._repr_html_()

    def test_pickles_equal(self) -> None:
        """A summary travels between processes equal to itself."""
        summary = self._long(3)
        assert pickle.loads(pickle.dumps(summary)) == summary

    def test_rows_must_match_the_header(self) -> None:
        """A row of the wrong width is refused, naming the row."""
        with pytest.raises(bf.InvalidInputError) as info:
            Summary("t", [], ["a", "b"], [[1, 2], [3]])
        assert info.value.path == "rows[1]"
        with pytest.raises(bf.InvalidInputError):
            Summary("t", [], ["a", "a"], [])


class TestEvaluation:
    """Evaluation.summary(): the headline is the evaluation's own figures."""

    def test_headline_figures(self) -> None:
        """n, converted, the AUC (checked against its pairwise definition) and interval."""
        evaluation = evaluation_results()["Evaluation"]
        summary = evaluation.summary()
        head = _headline(summary)
        assert head["leads"] == evaluation.n == len(evaluation.scores)
        assert head["converted"] == evaluation.positives == sum(evaluation.labels)
        assert head["conversion rate"] == pytest.approx(evaluation.positives / evaluation.n)
        assert head["AUC"] == evaluation.auc
        assert evaluation.auc == pytest.approx(_pairwise_auc(evaluation.scores, evaluation.labels))
        assert head["AUC 95% interval"] == evaluation.auc_interval
        assert head["Gini"] == pytest.approx(2 * evaluation.auc - 1)

    def test_band_rows_add_up(self) -> None:
        """The band table covers every lead and every conversion once."""
        evaluation = evaluation_results()["Evaluation"]
        rows = evaluation.summary().rows
        assert [row[0] for row in rows] == list(evaluation.by_band)
        assert sum(row[1] for row in rows) == evaluation.n
        assert sum(row[2] for row in rows) == evaluation.positives
        for _band, n, converted, rate, _interval in rows:
            assert rate == pytest.approx(converted / n)

    def test_a_backtest_names_its_cutoffs(self) -> None:
        """A pooled backtest heads with its number of cutoffs and their range."""
        profiles, events, outcomes = demo_sample()
        cutoffs = [datetime(2026, 7, 25, tzinfo=UTC), datetime(2026, 9, 20, 6, tzinfo=UTC)]
        model = bf.ScoringModel.default()
        pooled = bf.evaluate(model, profiles, events, outcomes, cutoffs=cutoffs, horizon_days=60)
        head = _headline(pooled.summary())
        assert head["2 cutoffs"] == "2026-07-25 to 2026-09-20T06:00:00+00:00"
        assert head["leads"] == pooled.n == sum(e.n for e in pooled.per_cutoff)

    def test_displays_are_the_summary(self) -> None:
        """The notebook displays are the summary's."""
        evaluation = evaluation_results()["Evaluation"]
        assert evaluation._repr_html_() == evaluation.summary()._repr_html_()
        assert evaluation._repr_markdown_() == evaluation.summary()._repr_markdown_()
        assert_valid_markdown_table(evaluation._repr_markdown_())


class TestFittedModel:
    """FittedModel.summary(): what the fit learned from, a row per coefficient."""

    def test_headline_and_rows(self) -> None:
        """Leads, converters and method are the fit's; each row is a coefficient."""
        fitted = evaluation_results()["FittedModel"]
        summary = fitted.summary()
        head = _headline(summary)
        assert (head["leads"], head["converted"], head["method"]) == (
            fitted.n,
            fitted.positives,
            fitted.method,
        )
        assert head["offset (scorecard - model points)"] == fitted.offset
        assert [row[0] for row in summary.rows] == [c.rule for c in fitted.coefficients]
        base = {r.name: r.points for r in (*fitted.model.explicit, *fitted.model.implicit)}
        for row, coefficient in zip(summary.rows, fitted.coefficients, strict=True):
            assert row[3] == coefficient.points == base[coefficient.rule]
            assert row[4] == coefficient.interval
        assert summary.notes == fitted.warnings


class TestTimeSplit:
    """TimeSplit.summary(): both AUCs and the difference; a display of at most 40 rows."""

    def test_headline_figures(self) -> None:
        """Base and fitted AUC are the evaluations'; the difference is their gap."""
        split = evaluation_results()["TimeSplit"]
        head = _headline(split.summary())
        assert head["base AUC"] == split.base.auc
        assert head["fitted AUC"] == split.learned.auc
        assert head["leads evaluated"] == split.base.n
        assert head["difference (fitted - base)"] == pytest.approx(
            split.learned.auc - split.base.auc
        )
        assert head["difference 95% interval"] == split.difference_interval
        assert split.describe().startswith(f"base AUC {split.base.describe_auc()}")

    def test_display_is_bounded(self) -> None:
        """Even with 60 learned rules the HTML has at most 40 rows and stays small
        (it was a 356-row, 70 KB dump)."""
        split = evaluation_results()["TimeSplit"]
        many = split.fitted.coefficients * 12
        big = attrs.evolve(split, fitted=attrs.evolve(split.fitted, coefficients=many))
        for result in (split, big):
            page = result._repr_html_()
            assert _all_rows(page) <= 40
            assert len(page) < 20_000
            markdown = result._repr_markdown_()
            assert len(assert_valid_markdown_table(markdown)) <= 20
        assert f"… {len(many) - 20} more rows" in big._repr_html_()


class TestVelocityComparison:
    """VelocityComparison.summary(): hand-computed velocities, money in cents."""

    def test_figures_match_a_hand_computation(self) -> None:
        """Velocity = open x mean won amount x win rate / mean won cycle, per cohort."""
        comparison = bf.compare_velocity(deals(), by="influenced", as_of=NOW)
        summary = comparison.summary()
        by_cohort = {row[0]: row for row in summary.rows}
        for cohort in ("no", HOSTILE):
            mine = [d for d in deals() if d["influenced"] == cohort]
            won = [d for d in mine if d["outcome"] == "won"]
            lost = [d for d in mine if d["outcome"] == "lost"]
            opened = sum(d["outcome"] == "open" for d in mine)
            value = Decimal(sum(d["amount"] for d in won)) / len(won)
            days = sum((d["closed_at"] - d["created_at"]).days for d in won) / len(won)
            velocity = opened * value * Decimal(len(won)) / Decimal(len(won) + len(lost))
            velocity /= Decimal(str(days))
            row = by_cohort[cohort]
            assert row[1:4] == (opened, len(won), len(lost))
            assert row[4] == value.quantize(Decimal("0.01"))
            assert row[7] == velocity.quantize(Decimal("0.01"))
        lift = comparison.lifts["no"]
        head = _headline(summary)
        assert head[f"velocity ratio no / {HOSTILE}"] == lift.velocity_ratio
        assert head["bootstrap interval"] == lift.interval

    def test_money_has_two_decimals_everywhere(self) -> None:
        """Every money cell shows cents, whole amounts included (2000.00, not 2000)."""
        comparison = bf.compare_velocity(deals(), by="influenced", as_of=NOW)
        for row in comparison.summary().rows:
            for money in (row[4], row[7], *row[8]):
                assert money.as_tuple().exponent == -2
        page = comparison._repr_html_()
        assert ">2000.00<" in page and ">1200.00<" in page
        report = bf.velocity_from_deals(deals(), as_of=NOW)
        page = report._repr_html_()
        assert ">1600.00<" in page
        assert f">{round(float(report.cycle_days), 4)!r}<" in page  # days, not money

    def test_yen_has_no_decimals(self) -> None:
        """With the currency known, money shows in its own minor unit."""
        comparison = bf.compare_velocity(deals(), by="influenced", as_of=NOW)
        yen = attrs.evolve(
            comparison,
            reports={k: attrs.evolve(r, currency="JPY") for k, r in comparison.reports.items()},
        )
        for row in yen.summary().rows:
            assert row[4].as_tuple().exponent == 0

    def test_names_are_escaped(self) -> None:
        """A cohort named <script> stays text in HTML and Markdown."""
        comparison = bf.compare_velocity(deals(), by="influenced", as_of=NOW)
        page, text = comparison._repr_html_(), comparison._repr_markdown_()
        assert "<script" not in page and ESCAPED in page
        assert "<script" not in text
        assert len(assert_valid_markdown_table(text)) == 2


class TestNPSComparison:
    """NPSComparison.summary(): the difference of two hand-computed scores."""

    def test_headline_figures(self) -> None:
        """NPS = % promoters - % detractors per sample; the difference is b - a."""
        a, b = bf.NPSResult.from_counts(80, 80, 40), bf.NPSResult.from_counts(120, 100, 30)
        comparison = bf.compare_nps(a, b, labels=("Q1", "Q2"))
        summary = comparison.summary()
        head = _headline(summary)
        assert head["difference (Q2 - Q1, points)"] == pytest.approx(36 - 20)
        assert head["95% interval"] == comparison.interval
        assert head["p-value (two-sided)"] == comparison.p_value
        assert head["responses"] == 450
        assert [row[:6] for row in summary.rows] == [
            ("Q1", 200, 80, 80, 40, 20.0),
            ("Q2", 250, 120, 100, 30, 36.0),
        ]
        assert summary.notes[0] == comparison.verdict

    def test_labels_are_kept_and_escaped(self) -> None:
        """The labels name the samples, escaped in HTML; an inconclusive test has no p."""
        comparison = bf.compare_nps(bf.nps([10, 9]), bf.nps([0]), labels=(HOSTILE, "B"))
        assert comparison.labels == (HOSTILE, "B")
        assert "p-value (two-sided)" not in _headline(comparison.summary())
        page = comparison._repr_html_()
        assert "<script" not in page and ESCAPED in page
        assert_valid_markdown_table(comparison._repr_markdown_())


class TestAttributionReport:
    """AttributionReport.summary(): credits add up to the attributed revenue."""

    TOUCHES: ClassVar[list[dict[str, Any]]] = [
        {"lead_id": "L1", "at": NOW - timedelta(days=30), "channel": HOSTILE},
        {"lead_id": "L1", "at": NOW - timedelta(days=20), "channel": "email"},
        {"lead_id": "L1", "at": NOW - timedelta(days=15), "channel": "webinar"},
    ]
    DEALS: ClassVar[list[dict[str, Any]]] = [
        {
            "lead_id": "L1",
            "amount": "1000",
            "outcome": "won",
            "created_at": NOW - timedelta(days=25),
            "closed_at": NOW - timedelta(days=10),
        }
    ]

    def test_headline_and_credits(self) -> None:
        """Revenue 1000 shows as 1000.00; each model's credits add up to it."""
        report = bf.attribute(self.TOUCHES, self.DEALS, models=["linear", "first_touch"])
        summary = report.summary()
        head = _headline(summary)
        assert head["won deals"] == 1
        assert head["revenue"] == Decimal("1000.00") and str(head["revenue"]) == "1000.00"
        assert head["attributed"] == report.attributed
        for column in (1, 2):
            assert sum(row[column] for row in summary.rows) == Decimal("1000.00")
        linear = {row[0]: row[1] for row in summary.rows}
        assert sorted(linear.values()) == [Decimal("333.33"), Decimal("333.33"), Decimal("333.34")]
        assert summary.header == ("channel", "linear", "first_touch")

    def test_money_in_the_minor_unit(self) -> None:
        """Cents by default; whole yen with minor_unit=1."""
        cents = bf.attribute(self.TOUCHES, self.DEALS, models=["linear"]).summary()
        assert all(row[1].as_tuple().exponent == -2 for row in cents.rows)
        yen = bf.attribute(self.TOUCHES, self.DEALS, models=["linear"], minor_unit=1).summary()
        assert str(_headline(yen)["revenue"]) == "1000"
        assert all(row[1].as_tuple().exponent == 0 for row in yen.rows)

    def test_names_are_escaped(self) -> None:
        """A channel named <script> stays text."""
        report = bf.attribute(self.TOUCHES, self.DEALS, models=["linear"])
        page = report._repr_html_()
        assert "<script" not in page and ESCAPED in page
        assert len(assert_valid_markdown_table(report._repr_markdown_())) == 3


class TestRulesDisplay:
    """ScoringModel and Funnel: a one-line repr, their rules as a table."""

    MODEL: ClassVar[dict[str, Any]] = {
        "explicit": [
            {"name": HOSTILE, "points": 30, "when": {"field": "employees", "gte": 500}},
        ],
        "implicit": [
            {"name": "visit", "event": "pricing_page_visit", "points": 15, "max_count": 3},
            {"name": "old", "event": "webinar_completed", "points": 25, "decays": False},
        ],
    }

    def test_repr_is_one_short_line(self) -> None:
        """repr names the rules count, threshold and fingerprint on one line."""
        model = bf.ScoringModel.from_dict(self.MODEL)
        text = repr(model)
        assert text == (
            f"ScoringModel(rules=3, hot_threshold=100, fingerprint={model.fingerprint!r})"
        )
        funnel = bf.Funnel({"scoring": self.MODEL})
        assert "\n" not in repr(funnel) and len(repr(funnel)) < 200
        assert repr(bf.ScoringModel.default()).startswith("ScoringModel(rules=5,")

    def test_equality_and_pickle_are_unchanged(self) -> None:
        """The display changes nothing of equality or pickling."""
        model = bf.ScoringModel.from_dict(self.MODEL)
        assert model == bf.ScoringModel.from_dict(model.to_dict())
        assert pickle.loads(pickle.dumps(model)) == model
        funnel = bf.Funnel({"scoring": self.MODEL})
        assert pickle.loads(pickle.dumps(funnel)) == funnel

    def test_rules_table(self) -> None:
        """A row per rule with its kind, condition, points, caps and decay; escaped."""
        model = bf.ScoringModel.from_dict(self.MODEL)
        text = model._repr_markdown_()
        body = assert_valid_markdown_table(text)
        assert [row[1] for row in body] == ["explicit", "implicit", "implicit"]
        explicit, visit, old = body
        assert explicit[0] == ESCAPED and explicit[2] == "employees ≥ 500"
        assert explicit[5] == "never"
        assert visit[2] == 'event "pricing_page_visit"' and visit[3] == "15"
        assert visit[4] == "max_count=3" and visit[5] == "inactivity"
        assert old[5] == "never"
        page = model._repr_html_()
        assert "<script" not in page and ESCAPED in page
        assert len(_body_rows(page)) == 3

    def test_funnel_shows_sections_and_rules(self) -> None:
        """The funnel's display lists its sections and its scoring rules."""
        funnel = bf.Funnel({"scoring": self.MODEL})
        text = funnel._repr_markdown_()
        assert "scoring, qualification, kol, nurture, accounts" in text
        assert len(assert_valid_markdown_table(text)) == 3
        assert "<script" not in funnel._repr_html_()

    def test_long_word_lists_are_elided(self) -> None:
        """The default title rule's word lists are cut, so the row stays readable."""
        body = assert_valid_markdown_table(bf.ScoringModel.default()._repr_markdown_())
        condition = body[0][2]
        assert "(+" in condition and len(condition) <= 100
