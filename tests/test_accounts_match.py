"""Matching contacts to accounts: ids, registrable domains, free mail, names, conflicts."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

import b2bfunnel as bf
from b2bfunnel.accounts import AccountMatch

FREE = ["gmail.com", "hotmail.es", "hotmail.co.uk", "outlook.com", "live.com", "yahoo.es",
        "icloud.com", "gmx.de", "proton.me", "protonmail.com", "telefonica.net",
        "movistar.es"]  # fmt: skip


class TestDomains:
    def test_sub_domains_of_one_company_join_one_account(self) -> None:
        """Two contacts at different sub-domains of one company share its account."""
        m = bf.match_accounts(
            [
                {"id": "C1", "email": "ana@ventas.acme.com.es"},
                {"id": "C2", "email": "Luis@IT.Acme.com.es"},
                {"id": "C3", "website": "https://www.acme.com.es/contacto"},
            ]
        )
        assert {m.account_of(c) for c in ("C1", "C2", "C3")} == {"acme.com.es"}
        assert [m.reason(c) for c in ("C1", "C2", "C3")] == ["domain"] * 3
        assert m.accounts == {"acme.com.es": ("C1", "C2", "C3")}

    @pytest.mark.parametrize(
        ("email", "account"),
        [
            ("a@acme.co.uk", "acme.co.uk"),
            ("a@mail.acme.co.uk", "acme.co.uk"),
            ("a@acme.com", "acme.com"),
            ("a@eu.sales.acme.com", "acme.com"),
            ("a@acme.com.mx", "acme.com.mx"),
            ("a@www.acme.io", "acme.io"),
        ],
    )
    def test_registrable_domain_with_multi_part_suffixes(self, email: str, account: str) -> None:
        """The registrable domain keeps one label before a multi-part suffix."""
        assert bf.match_accounts([{"id": "C", "email": email}]).account_of("C") == account

    @given(st.sampled_from(FREE), st.text("abcdefghij.", min_size=1, max_size=8))
    def test_free_mail_contacts_never_form_an_account(self, domain: str, local: str) -> None:
        """Free-mail and ISP addresses never match by domain, however many share one."""
        contacts = [{"id": f"C{i}", "email": f"{local}{i}@{domain}"} for i in range(3)]
        m = bf.match_accounts(contacts)
        assert all(m.account_of(c["id"]) is None for c in contacts)
        assert m.counts()["unmatched"] == 3
        assert m.accounts == {}

    def test_free_mail_contact_still_matches_by_id_and_name(self) -> None:
        """A gmail contact joins by its account id, or by its company's name."""
        m = bf.match_accounts(
            [
                {"id": "C1", "email": "x@gmail.com", "account_id": "A1"},
                {"id": "C2", "email": "y@gmail.com", "company": "Acme, S.L."},
                {"id": "C3", "email": "z@acme.es", "company": "ACME SL"},
            ],
            by_name=True,
        )
        assert (m.account_of("C1"), m.reason("C1")) == ("A1", "id")
        assert (m.account_of("C2"), m.reason("C2")) == ("acme.es", "name")

    def test_free_mail_falls_back_to_website(self) -> None:
        """A free-mail address with a company website matches by the website."""
        m = bf.match_accounts([{"id": "C1", "email": "x@hotmail.com", "website": "acme.de"}])
        assert m.account_of("C1") == "acme.de"


class TestIdsAndTable:
    def test_id_comes_first_and_presets_are_read(self) -> None:
        """An account id column wins over the domain; CRM headers are recognised."""
        m = bf.match_accounts(
            [
                {"id": "C1", "email": "a@acme.es", "account_id": "A1"},
                {"id": "C2", "email": "b@acme.es", "Associated Company ID": 9876.0},
                {"id": "C3", "AccountId": "001xx"},
            ]
        )
        assert [m.account_of(c) for c in ("C1", "C2", "C3")] == ["A1", "9876", "001xx"]

    def test_domain_learnt_from_contacts_with_an_id(self) -> None:
        """A contact without an id joins the account its colleagues' id names."""
        m = bf.match_accounts(
            [
                {"id": "C1", "email": "a@acme.es", "account_id": "A1"},
                {"id": "C2", "email": "b@acme.es"},
            ]
        )
        assert (m.account_of("C2"), m.reason("C2")) == ("A1", "domain")

    def test_accounts_table_gives_the_id(self) -> None:
        """The accounts table's id wins over the domain as the account's id."""
        m = bf.match_accounts(
            [{"id": "C1", "email": "a@it.acme.co.uk"}],
            [{"id": "ACC-1", "domain": "https://acme.co.uk", "name": "Acme Ltd"}],
        )
        assert m.account_of("C1") == "ACC-1"
        assert m.accounts == {"ACC-1": ("C1",)}

    def test_columns_per_table(self) -> None:
        """``columns`` maps headers per table."""
        m = bf.match_accounts(
            [{"Record": "C1", "Mail": "a@acme.es"}],
            [{"Key": "K1", "Web": "acme.es"}],
            columns={"contacts": {"id": "Record", "email": "Mail"},
                     "accounts": {"id": "Key", "domain": "Web"}},
        )  # fmt: skip
        assert m.account_of("C1") == "K1"

    def test_pandas_frame_with_nan(self) -> None:
        """A DataFrame's NaN cells are blank; numeric ids read as whole numbers."""
        pd = pytest.importorskip("pandas")
        frame = pd.DataFrame(
            {"id": ["C1", "C2"], "email": ["a@acme.es", None], "account_id": [float("nan"), 12.0]}
        )
        m = bf.match_accounts(frame)
        assert (m.account_of("C1"), m.account_of("C2")) == ("acme.es", "12")

    def test_bad_input_is_located(self) -> None:
        """A contact without an id, or a duplicate, is refused with its path."""
        with pytest.raises(bf.InvalidInputError) as info:
            bf.match_accounts([{"id": "C1"}, {"email": "a@b.es"}])
        assert info.value.path == "contacts[1].id"
        with pytest.raises(bf.InvalidInputError) as info:
            bf.match_accounts([{"id": "C1"}, {"id": "C1"}])
        assert info.value.path == "contacts[1].id"
        with pytest.raises(bf.InvalidInputError):
            bf.match_accounts([{"id": "C1"}], by_name="yes")  # type: ignore[arg-type]


class TestNamesAndConflicts:
    def test_names_only_when_asked(self) -> None:
        """Company names match only with ``by_name=True``; legal forms and accents drop."""
        rows = [
            {"id": "C1", "company": "Telefónica, S.A.U."},
            {"id": "C2", "company": "TELEFONICA SA"},
        ]
        assert bf.match_accounts(rows).reason("C1") == "unmatched"
        m = bf.match_accounts(rows, by_name=True)
        assert {m.account_of("C1"), m.account_of("C2")} == {"name:telefonica"}

    def test_one_domain_two_ids_is_a_conflict_not_a_merge(self) -> None:
        """Two account ids sharing a domain: reported, and the contact is left out."""
        m = bf.match_accounts(
            [
                {"id": "C1", "email": "a@acme.es", "account_id": "A1"},
                {"id": "C2", "email": "b@acme.es", "account_id": "A2"},
                {"id": "C3", "email": "c@acme.es"},
            ]
        )
        assert (m.account_of("C1"), m.account_of("C2")) == ("A1", "A2")
        assert (m.account_of("C3"), m.reason("C3")) == (None, "conflict")
        (conflict,) = m.conflicts
        assert (conflict.kind, conflict.key, conflict.accounts, conflict.contacts) == (
            "domain", "acme.es", ("A1", "A2"), ("C3",),
        )  # fmt: skip

    def test_one_name_two_domains_is_a_conflict(self) -> None:
        """A name at two domains: both accounts stay apart, the name-only contact is out."""
        m = bf.match_accounts(
            [
                {"id": "C1", "email": "a@acme.es", "company": "Acme SL"},
                {"id": "C2", "email": "b@acme.de", "company": "Acme GmbH"},
                {"id": "C3", "email": "c@gmail.com", "company": "ACME"},
            ],
            by_name=True,
        )
        assert (m.account_of("C1"), m.account_of("C2")) == ("acme.es", "acme.de")
        assert m.reason("C3") == "conflict"
        assert [(c.kind, c.key, c.accounts) for c in m.conflicts] == [
            ("name", "acme", ("acme.de", "acme.es"))
        ]
        assert any("not merged" in line for line in m.warnings())

    def test_to_dict_is_json(self) -> None:
        """``to_dict`` is plain JSON with per-contact reasons and counts."""
        m = bf.match_accounts([{"id": "C1", "email": "a@acme.es"}, {"id": "C2"}])
        data = json.loads(json.dumps(m.to_dict()))
        assert data["contacts"]["C1"] == {"account_id": "acme.es", "reason": "domain"}
        assert data["counts"]["unmatched"] == 1


domains = st.sampled_from(["acme.es", "beta.co.uk", "gmail.com", "gamma.com", "x.acme.es"])
contacts = st.lists(
    st.fixed_dictionaries(
        {"email": st.builds(lambda d: f"u@{d}", domains)},
        optional={"account_id": st.sampled_from(["A1", "A2"]),
                  "company": st.sampled_from(["Acme SL", "Beta Ltd", "Gamma"])},
    ),
    max_size=12,
)  # fmt: skip


@given(contacts, st.randoms(use_true_random=False), st.booleans())
def test_order_does_not_change_the_match(
    rows: list[dict[str, str]], rnd: object, by_name: bool
) -> None:
    """Shuffling the contacts gives the same account and reason for each."""
    rows = [{"id": f"C{i}", **row} for i, row in enumerate(rows)]
    shuffled = list(rows)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    a = bf.match_accounts(rows, by_name=by_name)
    b = bf.match_accounts(shuffled, by_name=by_name)
    assert (dict(a.account_ids), dict(a.reasons)) == (dict(b.account_ids), dict(b.reasons))
    assert isinstance(a, AccountMatch)
    for row in rows:
        if a.reason(row["id"]) == "domain":
            assert "gmail" not in row["email"]


def test_display_stays_short_for_many_contacts() -> None:
    """The repr and notebook views show counts and conflicts, not every contact."""
    rows = [{"id": f"C{i}", "email": f"u{i}@c{i % 7}.es"} for i in range(5000)]
    m = bf.match_accounts(rows)
    assert repr(m) == (
        "AccountMatch(5000 contacts, 7 accounts: id=0, domain=5000, name=0, conflict=0, "
        "unmatched=0; 0 conflicts)"
    )
    assert len(m._repr_html_()) < 2000 and "5000" in m._repr_markdown_()
