"""What patients paid: per treatment, the costs and worth-it answers patients reported in their
published reviews, shown beside the editorial cost and labelled as theirs (not checked by the site).

A figure is shown only when enough people reported it (MIN_REPORTS), so one review can neither
stand for "what it costs" nor point at its author: per currency with at least 5 cost reports the
count, median and range; within it per city with at least 5 reports (cities compared ignoring
case and spacing); and the share answering "worth it: yes" once 5 published reviews exist.
One query reads the treatment's published reviews' four small columns; the figures are computed
here, so it works the same on SQLite and PostgreSQL.

Cached treatment pages (web/caching.py keeps them under the "content" tag) refresh on their
own: cache.py counts Review changes as public content and bumps the tag on commit. `changed()`
is for writes that bypass the ORM's bookkeeping (bulk updates)."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from forum import cache
from forum.extensions import db
from forum.models import Review, ReviewStatus, WorthIt

MIN_REPORTS = 5


@dataclass(frozen=True)
class CostRange:
    """Reports in one currency (and, for a city, in one place): amounts in whole units."""
    count: int
    median: int  # the middle amount; for an even count the mean of the two middle ones, halves up
    low: int
    high: int


@dataclass(frozen=True)
class CityCosts(CostRange):
    city: str = ""  # the spelling most reports used


@dataclass(frozen=True)
class CurrencyCosts(CostRange):
    currency: str = ""
    cities: list[CityCosts] = field(default_factory=list)


@dataclass(frozen=True)
class PatientCosts:
    reviews: int                      # published reviews of the treatment
    currencies: list[CurrencyCosts]   # those with at least MIN_REPORTS cost reports, most reported first
    worth_it_share: float | None      # 0..1 of published reviews saying "yes"; None under MIN_REPORTS reviews

    @property
    def worth_it_percent(self) -> int | None:
        return None if self.worth_it_share is None else round(self.worth_it_share * 100)


def patient_costs(treatment_id: int) -> PatientCosts | None:
    """The treatment's patient-reported figures, or None when nothing reaches MIN_REPORTS."""
    rows = db.session.execute(
        select(Review.cost_amount, Review.cost_currency, Review.city, Review.worth_it)
        .where(Review.treatment_id == treatment_id, Review.status == ReviewStatus.PUBLISHED)).all()
    by_currency: dict[str, list[tuple[int, str | None]]] = defaultdict(list)
    for amount, currency, city, _worth_it in rows:
        if amount is not None and currency:
            by_currency[currency.strip().upper()].append((amount, city))
    currencies = [_currency_costs(code, reports) for code, reports in by_currency.items()
                  if len(reports) >= MIN_REPORTS]
    currencies.sort(key=lambda c: (-c.count, c.currency))
    share = None
    if len(rows) >= MIN_REPORTS:
        share = sum(1 for row in rows if row.worth_it == WorthIt.YES) / len(rows)
    if not currencies and share is None:
        return None
    return PatientCosts(reviews=len(rows), currencies=currencies, worth_it_share=share)


def changed(treatment_id: int) -> None:
    """Make pages showing this treatment's patient figures render again. Not needed after ORM
    writes to Review rows (cache.py bumps on their commit); call it after bulk updates, after commit."""
    del treatment_id  # treatment pages are kept under the one "content" tag
    cache.bump(cache.TAG_CONTENT)


# ---- figures ----

def city_key(city: str | None) -> str:
    """How cities are compared: trimmed, inner spaces collapsed, case ignored."""
    return " ".join((city or "").split()).casefold()


def _currency_costs(currency: str, reports: list[tuple[int, str | None]]) -> CurrencyCosts:
    spellings: dict[str, Counter] = defaultdict(Counter)
    amounts_by_city: dict[str, list[int]] = defaultdict(list)
    for amount, city in reports:
        key = city_key(city)
        if key:
            spellings[key][" ".join(city.split())] += 1
            amounts_by_city[key].append(amount)
    cities = [CityCosts(**_figures(amounts), city=_usual_spelling(spellings[key]))
              for key, amounts in amounts_by_city.items() if len(amounts) >= MIN_REPORTS]
    cities.sort(key=lambda c: (-c.count, c.city.casefold()))
    return CurrencyCosts(**_figures([amount for amount, _city in reports]), currency=currency, cities=cities)


def _usual_spelling(counts: Counter) -> str:
    return min(counts, key=lambda spelling: (-counts[spelling], spelling))


def _figures(amounts: list[int]) -> dict:
    ordered = sorted(amounts)
    return {"count": len(ordered), "median": median(ordered), "low": ordered[0], "high": ordered[-1]}


def median(ordered: list[int]) -> int:
    """The middle of sorted whole amounts; for an even count the mean of the two middle ones,
    a half rounded up (whole currency units, as reported)."""
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle] + 1) // 2
