"""The language a question is written in, guessed from its words (services/language_detect.py)."""
from __future__ import annotations

import pytest

from forum.services.language_detect import detect_language, score


@pytest.mark.parametrize("text", [
    "¿Cuánto dura el efecto del bótox en la frente?",
    "Tengo manchas en la cara desde hace dos años y quiero saber qué tratamiento me recomiendan",
    "Me hice un peeling la semana pasada y la piel sigue roja, es normal",  # no accents: the words decide
    "¿Microneedling o láser?",  # product names only, but the letters are Spanish
])
def test_spanish_text_is_spanish(text):
    assert detect_language(text) == "es"


@pytest.mark.parametrize("text", [
    "How long does Botox last on the forehead?",
    "I have had dark spots on my face for two years and want to know which treatment would help",
    "Is it normal that my skin is still red a week after a peel?",
])
def test_english_text_is_english(text):
    assert detect_language(text) == "en"


@pytest.mark.parametrize("fallback, expected", [("es", "es"), ("en", "en"), ("es-MX", "es"), (None, "en"),
                                                ("fr", "en")])
def test_too_little_to_tell_falls_back_to_the_given_locale_then_english(fallback, expected):
    assert detect_language("Botox, Fraxel, microneedling?", fallback=fallback) == expected
    assert detect_language("", fallback=fallback) == expected


def test_a_tie_is_too_thin_to_decide():
    assert score("the la") == (1, 1)
    assert detect_language("the la", fallback="es") == "es" and detect_language("the la", fallback="en") == "en"


def test_the_guess_is_deterministic_and_ignores_case_and_punctuation():
    text = "QUÉ TRATAMIENTO ES MEJOR PARA LAS OJERAS???"
    assert {detect_language(text) for _ in range(5)} == {"es"}
    assert score(text) == score(text.lower())
