"""Words for people: counts with the right plural, and human labels for stored values.

One helper for every count on the site (`{{ n|plural("view") }}` gives "1 view", "2 views"),
so no template writes its own `"s" if ...` again."""
from __future__ import annotations

from enum import Enum

# Nouns whose plural is not the singular plus "s" (or "es" after s, x, z, ch, sh).
IRREGULAR = {
    "person": "people", "child": "children", "reply": "replies", "query": "queries", "story": "stories",
    "is": "are", "was": "were", "has": "have", "agrees": "agree", "disagrees": "disagree",
    "follow-up": "follow-ups", "study": "studies", "category": "categories", "entry": "entries",
}


def plural_of(word: str) -> str:
    """The plural of an English noun we use: irregulars from the table, then the usual rules."""
    if word in IRREGULAR:
        return IRREGULAR[word]
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def plural(count, singular: str, plural_form: str | None = None, *, number: bool = True) -> str:
    """"1 view", "2 views", "0 views"; `plural_form` overrides the rules for one call; with
    number=False only the word ("helpful vote" or "helpful votes") is returned. Only a single
    thing (1) is singular; the last word of a phrase is the one that changes."""
    n = count or 0
    if n == 1:
        word = singular
    elif plural_form:
        word = plural_form
    else:
        head, _, last = singular.rpartition(" ")
        word = f"{head} {plural_of(last)}" if head else plural_of(last)
    shown = f"{int(n):,}" if float(n).is_integer() else f"{n:,.1f}"
    return f"{shown} {word}" if number else word


# Labels for stored values shown to people (enum values are slugs, e.g. "treatment-type").
LABELS = {
    "concern": "Concern", "treatment-type": "Type of treatment", "product": "Product",
}


def label(value) -> str:
    """The human label of a stored value (an Enum or its string), or the value made readable."""
    raw = value.value if isinstance(value, Enum) else str(value or "")
    return LABELS.get(raw, raw.replace("-", " ").replace("_", " "))
