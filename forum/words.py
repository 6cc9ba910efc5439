"""Words for people: counts with the right plural, and human labels for stored values.

One helper for every count on the site (`{{ n|plural("view") }}` gives "1 view", "2 views"),
so no template writes its own `"s" if ...` again. `plural` is English only: templates shown in other
languages use `ngettext("%(num)s view", "%(num)s views", n, num=n|fnumber)` instead, which the catalogs
translate; `label` returns translated labels."""
from __future__ import annotations

from enum import Enum

from forum.i18n import _l

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


# Labels for stored values shown to people (enum values are slugs, e.g. "treatment-type"), translated.
LABELS = {
    "concern": _l("Concern"), "treatment-type": _l("Type of treatment"), "product": _l("Product"),
    # doctors' specialties and credentials
    "dermatology": _l("Dermatology"), "plastic surgery": _l("Plastic surgery"),
    "facial plastic surgery": _l("Facial plastic surgery"), "oculoplastic surgery": _l("Oculoplastic surgery"),
    "cosmetic surgery": _l("Cosmetic surgery"), "other": _l("Other"),
    "license": _l("License"), "board certification": _l("Board certification"),
    # reasons for reporting content
    "spam": _l("Spam"), "offensive": _l("Offensive"), "medical misinformation": _l("Medical misinformation"),
    "self-promotion": _l("Self-promotion"), "privacy": _l("Privacy"),
    # roles and account states
    "member": _l("Member"), "moderator": _l("Moderator"), "admin": _l("Administrator"),
    "active": _l("Active"), "suspended": _l("Suspended"), "banned": _l("Banned"),
    # what a report is about, and where it stands
    "question": _l("Question"), "answer": _l("Answer"), "follow_up": _l("Follow-up"), "doctor": _l("Doctor"),
    "consultation": _l("Consultation request"), "review": _l("Patient review"), "user": _l("User"),
    "topic": _l("Topic"), "treatment": _l("Treatment"), "article": _l("Reference post"),
    "open": _l("Open"), "resolved": _l("Resolved"), "dismissed": _l("Dismissed"),
    # states of applications, reviews and posts
    "pending": _l("Pending"), "verified": _l("Verified"), "rejected": _l("Rejected"), "lapsed": _l("Lapsed"),
    "published": _l("Published"), "hidden": _l("Hidden"), "draft": _l("Draft"),
}
# A doctor's verification status as a badge, and an application's state.
VERIFICATION = {
    "pending": _l("verification pending"), "verified": _l("verified"), "rejected": _l("verification rejected"),
    "suspended": _l("verification suspended"), "lapsed": _l("verification lapsed"),
}
APPLICATION = {
    "pending": _l("Application pending"), "verified": _l("Application verified"),
    "rejected": _l("Application rejected"), "suspended": _l("Application suspended"),
    "lapsed": _l("Application lapsed"),
}


def _raw(value) -> str:
    return value.value if isinstance(value, Enum) else str(value or "")


def label(value) -> str:
    """The human label of a stored value (an Enum or its string) in the reader's language, or the
    value made readable."""
    raw = _raw(value)
    return str(LABELS[raw]) if raw in LABELS else raw.replace("-", " ").replace("_", " ")


def verification(value) -> str:
    """"verification lapsed" and the like, for a doctor whose badge is not "verified"."""
    raw = _raw(value)
    return str(VERIFICATION[raw]) if raw in VERIFICATION else raw


def application(value) -> str:
    """"Application pending" and the like, for a doctor's own application state."""
    raw = _raw(value)
    return str(APPLICATION[raw]) if raw in APPLICATION else raw
