"""The one plural helper: every count on the site goes through it."""
import pytest

from forum.words import label, plural, plural_of


@pytest.mark.parametrize("count, word, expected", [
    (0, "view", "0 views"), (1, "view", "1 view"), (2, "view", "2 views"),
    (1, "answer", "1 answer"), (3, "doctor answer", "3 doctor answers"),
    (1, "helpful vote", "1 helpful vote"), (5, "helpful vote", "5 helpful votes"),
    (2, "person", "2 people"), (1, "person", "1 person"), (4, "reply", "4 replies"),
    (2, "match", "2 matches"), (2, "day", "2 days"), (1234, "view", "1,234 views"), (None, "view", "0 views"),
])
def test_counts_read_as_english(count, word, expected):
    assert plural(count, word) == expected


def test_an_explicit_plural_wins_and_the_word_alone_is_available():
    assert plural(2, "doctor agrees", "doctors agree") == "2 doctors agree"
    assert plural(1, "doctor agrees", "doctors agree") == "1 doctor agrees"
    assert plural(2, "follower", number=False) == "followers"


def test_irregular_and_regular_nouns():
    assert [plural_of(w) for w in ("child", "study", "box", "key")] == ["children", "studies", "boxes", "keys"]


def test_the_filter_is_available_in_templates(app):
    with app.app_context():
        template = app.jinja_env.from_string('{{ 1|plural("view") }} · {{ 2|plural("view") }}')
        assert template.render() == "1 view · 2 views"


def test_labels_not_slugs():
    assert label("treatment-type") == "Type of treatment"
    assert label("in-office") == "in office"


def test_fractions_are_plural():
    assert plural(1.5, "hour") == "1.5 hours"
    assert plural(1.0, "hour") == "1 hour"
