"""Safety triage: the red-flag patterns file is reviewable data; emergencies match, look-alikes do not."""
from __future__ import annotations

import re
import tomllib

import pytest

from forum.services import triage


@pytest.fixture
def fresh_rules():
    triage._rules.cache_clear()
    yield
    triage._rules.cache_clear()


URGENT = [
    ("vision change after filler", "Blurry vision in my left eye an hour after tear trough filler"),
    ("vision change after filler", "After the hyaluronic injection I can't see properly out of one eye"),
    ("vision change after filler", "Lost my sight for a minute after the botox injection near my brow"),
    ("skin turning white, blue or grey after filler", "My lip skin is turning white after filler"),
    ("skin turning white, blue or grey after filler", "The area around my nose went dusky after the injection"),
    ("skin turning white, blue or grey after filler", "Since the filler yesterday my cheek looks blue and hurts"),
    ("spreading redness with fever", "I have a fever and my cheek is red and hot after microneedling"),
    ("spreading redness with fever", "Spreading redness on my jaw since the peel, and now chills"),
    ("rapidly changing mole", "A mole on my arm is getting darker and bigger within weeks"),
    ("rapidly changing mole", "My mole started to bleed when I touched it"),
    ("breathing or swallowing trouble", "After the injection I have trouble swallowing"),
    ("breathing or swallowing trouble", "My throat feels tight and swollen since the treatment"),
]
# The same warning signs written in Spanish, with and without accents
URGENT_ES = [
    ("vision change after filler", "Veo borroso del ojo izquierdo una hora después del relleno de ojeras"),
    ("vision change after filler", "Después de la inyección de ácido hialurónico no puedo ver bien con un ojo"),
    ("vision change after filler", "Perdi la vision unos minutos tras el botox cerca de la ceja"),
    ("skin turning white, blue or grey after filler", "La piel del labio se puso blanca después del relleno"),
    ("skin turning white, blue or grey after filler", "Desde el relleno de ayer la mejilla se ve morada y me duele"),
    ("spreading redness with fever", "Tengo fiebre y la mejilla está roja y caliente después del microneedling"),
    ("spreading redness with fever",
     "Un enrojecimiento que se extiende por la mandíbula desde el peeling, y ahora escalofrios"),
    ("rapidly changing mole", "Un lunar del brazo se está volviendo más oscuro y más grande en pocas semanas"),
    ("rapidly changing mole", "Mi lunar empezó a sangrar cuando lo toqué"),
    ("breathing or swallowing trouble", "Después de la inyección tengo dificultad para tragar"),
    ("breathing or swallowing trouble", "Siento la garganta hinchada y apretada desde el tratamiento"),
]
HARMLESS_ES = [
    "¿Debo ver a un dermatólogo antes de ponerme relleno?",
    "¿Cuánto tardan en verse los resultados del botox? Aún no noto diferencia tras la inyección.",
    "¿Qué temperatura del agua ayuda a reducir la grasa de la piel?",
    "¿Las manchas oscuras se aclaran unas semanas después de un peeling químico?",
    "¿El microneedling reduce los poros dilatados de la nariz?",
    "Desde el punto de vista del precio, ¿conviene más el relleno o el láser?",
    "Tengo la piel blanca y grasa, ¿qué láser me conviene?",
    "¿Se puede quitar un lunar con láser?",
]

HARMLESS = [
    "Should I see a dermatologist before getting filler?",
    "How long until I see results from botox? No difference after my injection yet.",
    "What water temperature helps reduce oiliness?",
    "Do dark spots fade a few weeks after a chemical peel?",
    "Can microneedling shrink enlarged pores on my nose?",
    "Is micro-botox good for oily skin and large pores?",
    "My skin looks dull and tired, which peel would help?",
    "I foresee needing several laser sessions; how far apart?",
    "Are retinoids safe to use while my acne scars heal?",
    "Does hot weather make pores look bigger?",
]


@pytest.mark.parametrize("name, text", URGENT)
def test_emergency_descriptions_match_their_red_flag(name, text):
    assert name in triage.red_flags(text)


@pytest.mark.parametrize("text", HARMLESS)
def test_ordinary_cosmetic_questions_match_no_red_flag(text):
    assert triage.red_flags(text) == []


@pytest.mark.parametrize("name, text", URGENT_ES)
def test_emergency_descriptions_in_spanish_match_their_red_flag(name, text):
    assert name in triage.red_flags(text)


@pytest.mark.parametrize("text", HARMLESS_ES)
def test_ordinary_spanish_questions_match_no_red_flag(text):
    assert triage.red_flags(text) == []


def test_spanish_readers_get_the_notice_and_the_sign_names_in_spanish(app):
    with app.test_request_context("/?lang=es"):
        assert "urgencias" in triage.urgent_notice() and "emergency" not in triage.urgent_notice()
        assert triage.warning_signs("Visión borrosa tras el relleno") == ["cambios en la vista después de un relleno"]


def test_english_readers_get_english_sign_names_for_a_spanish_question(app):
    with app.test_request_context("/"):
        assert triage.warning_signs("Visión borrosa tras el relleno") == ["vision change after filler"]


def test_title_and_body_are_read_together_and_missing_text_is_fine():
    assert triage.red_flags("Question about my eye", "Blurred vision after filler") == ["vision change after filler"]
    assert triage.red_flags("", None) == []


def test_matching_ignores_case_and_line_breaks():
    assert triage.red_flags("BLURRED VISION\nsince yesterday's FILLER") == ["vision change after filler"]


def test_the_patterns_file_is_valid_reviewable_data():
    data = tomllib.loads(triage.RED_FLAGS.read_text(encoding="utf-8"))
    assert data["notice"].strip() and data["notice_es"].strip()
    names = [flag["name"] for flag in data["flag"]]
    assert len(names) == len(set(names)) >= 5
    for flag in data["flag"]:
        assert set(flag) == {"name", "pattern", "name_es", "pattern_es"}
        re.compile(flag["pattern"])
        re.compile(flag["pattern_es"])


def test_every_flag_has_an_example_here_in_each_language():
    names = {name for name, _ in triage._rules()[1]}
    assert {name for name, _ in URGENT} == names == {name for name, _ in URGENT_ES}


def test_the_rules_come_from_the_data_file(tmp_path, monkeypatch, fresh_rules):
    rules = tmp_path / "red_flags.toml"
    rules.write_text('notice = "Call your clinic now."\n[[flag]]\nname = "test flag"\npattern = \'\\bpurple rash\\b\'\n',
                     encoding="utf-8")
    monkeypatch.setattr(triage, "RED_FLAGS", rules)
    assert triage.urgent_notice() == "Call your clinic now."
    assert triage.red_flags("A purple rash appeared") == ["test flag"]
    assert triage.red_flags("Blurred vision after filler") == []


def test_the_urgent_notice_tells_the_asker_to_seek_care_now():
    notice = triage.urgent_notice()
    assert "emergency" in notice and "now" in notice
