"""Registrable domains of e-mail addresses and websites, and which are free mail.

The two lists ship as data files, read once per process: ``data/public_suffixes.txt``
(multi-part suffixes such as ``co.uk`` and ``com.es``) and
``data/free_mail_domains.txt`` (gmail, hotmail, telefonica.net ...). Both are
documented in their headers and in ``docs/accounts.md``.
"""

from __future__ import annotations

import functools
from importlib import resources

__all__ = ["email_domain", "is_free_mail", "registrable", "website_domain"]


def _lines(name: str) -> list[str]:
    text = resources.files("b2bfunnel").joinpath("data", name).read_text(encoding="utf-8")
    return [line.strip().lower() for line in text.splitlines() if line.split("#")[0].strip()]


@functools.cache
def _suffixes() -> frozenset[str]:
    return frozenset(_lines("public_suffixes.txt"))


@functools.cache
def _free_mail() -> tuple[frozenset[str], frozenset[str]]:
    """Whole domains, and names listed as ``name.*`` (any suffix)."""
    lines = _lines("free_mail_domains.txt")
    wild = frozenset(line[:-2] for line in lines if line.endswith(".*"))
    return frozenset(line for line in lines if not line.endswith(".*")), wild


@functools.lru_cache(maxsize=65_536)
def registrable(host: str) -> str | None:
    """The registrable part of a host name: ``mail.acme.co.uk`` -> ``acme.co.uk``.

    Lower-cased, ``www.`` and other sub-domains dropped; None for text that is not a
    host name with at least two labels.

    >>> registrable("WWW.Sales.Acme.com.es"), registrable("acme.io"), registrable("localhost")
    ('acme.com.es', 'acme.io', None)
    """
    labels = host.strip().strip(".").lower().split(".")
    if len(labels) < 2 or not all(labels) or any(" " in label for label in labels):
        return None
    suffixes = _suffixes()
    # The longest listed suffix wins; the lists hold two- and three-label suffixes.
    for size in (3, 2):
        if len(labels) > size and ".".join(labels[-size:]) in suffixes:
            return ".".join(labels[-size - 1 :])
    if ".".join(labels[-2:]) in suffixes:
        return None  # the suffix itself (co.uk) is nobody's domain
    return ".".join(labels[-2:])


def is_free_mail(domain: str) -> bool:
    """Whether a registrable ``domain`` is a free-mail or ISP domain.

    >>> is_free_mail("gmail.com"), is_free_mail("hotmail.co.uk"), is_free_mail("acme.es")
    (True, True, False)
    """
    whole, wild = _free_mail()
    if domain in whole:
        return True
    name = domain.split(".", 1)[0]
    return name in wild


def email_domain(address: str) -> str | None:
    """The registrable domain of an e-mail address, or None without one.

    >>> email_domain("Ana.Ruiz@ventas.Acme.co.uk")
    'acme.co.uk'
    """
    at = address.rfind("@")
    if at < 1:
        return None
    return registrable(address[at + 1 :].strip().rstrip(">"))


def website_domain(url: str) -> str | None:
    """The registrable domain of a website: a URL or a bare host name.

    >>> website_domain("https://www.acme.com.es/contacto"), website_domain("acme.de")
    ('acme.com.es', 'acme.de')
    """
    text = url.strip()
    scheme = text.find("://")
    if scheme >= 0:
        text = text[scheme + 3 :]
    for stop in "/?#":
        cut = text.find(stop)
        if cut >= 0:
            text = text[:cut]
    text = text.rsplit("@", 1)[-1].split(":", 1)[0]
    return registrable(text)
