"""Which language a question is written in, guessed from its words: Spanish or English stopwords
and the letters only Spanish uses (á é í ó ú ñ ¿ ¡). Deterministic and small on purpose: a question
is a few sentences, the choice is between the site's two languages, and the asker can correct it."""
from __future__ import annotations

import re

from forum.i18n import DEFAULT_LOCALE, supported

# Short, frequent words that are not also common words of the other language ("a", "me", "no",
# "he" and "son" are in both, so neither list has them).
SPANISH = frozenset("""
    el la los las un una unos unas de del al y o pero que qué por para con sin sobre entre es son está están
    estoy tengo tiene tienen hace hacer puedo puede pueden debo debería mi mis su sus tu tus mí yo usted
    ustedes ellos ella nos se lo le les muy más menos también ya cuando cómo como dónde porque desde hasta
    después antes ahora hay este esta estos estas eso esto ese esa cuál cuánto cuánta años meses semanas
    días piel cara tratamiento médico doctor
""".split())
ENGLISH = frozenset("""
    the an and or but of to in on at for with without about from by is are was were be been am do does did
    have has had can could should would will my your their our this that these those what which who how
    when where why after before now there it its they them we you she his her not very more less also
    just than then into years months weeks days skin face treatment
""".split())
SPANISH_LETTERS = re.compile(r"[áéíóúñ¿¡]")
WORDS = re.compile(r"[^\W\d_]+")


def score(text: str) -> tuple[int, int]:
    """(Spanish evidence, English evidence): stopwords of each, plus one per Spanish-only letter."""
    lowered = (text or "").lower()
    words = WORDS.findall(lowered)
    spanish = sum(word in SPANISH for word in words) + len(SPANISH_LETTERS.findall(lowered))
    english = sum(word in ENGLISH for word in words)
    return spanish, english


def detect_language(text: str, fallback: str | None = None) -> str:
    """"es" or "en" for `text`; when the evidence is too thin to tell, `fallback` (the reader's
    locale, for one) or English; a tie is too thin."""
    spanish, english = score(text)
    if spanish != english:
        return "es" if spanish > english else "en"
    return supported(fallback) or DEFAULT_LOCALE
