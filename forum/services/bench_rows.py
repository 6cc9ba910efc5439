"""Bench data rows: the vocabulary of fictional questions and answers, and the maker of question
threads with every counter already right (as the qa services would leave them). Used by
services/bench_data.py, which writes the rows in bulk."""
from __future__ import annotations

import random
import re
from bisect import bisect
from collections import Counter
from datetime import date, datetime, timedelta

from forum.passwords import hash_password
from forum.services import triage
from forum.services.search_index import answer_document, question_document, vocabulary_words
from forum.text import render_markdown


# Counted with the questions; written in this order so every foreign key points backwards.
THREAD_TABLES = ("questions", "question_topics", "question_treatments", "answers", "answer_reviews",
                 "helpful_votes", "follow_ups", "follows", "search_documents")


class BenchDataError(Exception):
    """Bench data cannot be made here; the message says why."""


PASSWORD = "bench-password-123"
SPAN = timedelta(days=3 * 365)
MIN_DELAY = timedelta(minutes=10)  # the quickest answer
ANSWERS_CUM = (0.16, 0.36, 0.56, 0.72, 0.84, 0.93)  # P(answers <= k), k = 0..5; else 6
VOTES_CUM = (0.5, 0.72, 0.84, 0.91, 0.95, 0.97, 0.985, 0.995)  # helpful votes per answer, 0..8
SPECIALTIES = ("dermatology", "plastic surgery", "facial plastic surgery", "oculoplastic surgery",
               "cosmetic surgery", "other")
CITIES = (("Springfield", "Illinois", "United States"), ("Riverton", "Wyoming", "United States"),
          ("Lakeside", None, "Canada"), ("Northbridge", None, "United Kingdom"), ("Fairview", "Oregon",
          "United States"), ("Kingsport", None, "Australia"))


def stamp(moment: datetime) -> str:
    """The text both engines store for a DateTime (SQLAlchemy's SQLite format, PostgreSQL input)."""
    return moment.isoformat(" ", "microseconds")


def _document_row(document: dict) -> tuple:
    """A search document in bench_data's column order, after its id (updated_at follows)."""
    return tuple(document[k] for k in ("kind", "ref_id", "question_id", "title", "body", "tags", "slug"))


class Generator:
    """Deterministic rows: the same seed gives the same content (times are relative to `now`)."""

    def __init__(self, questions: int, seed: int, now: datetime, vocabulary: Vocabulary, ids: dict[str, int]):
        self.questions, self.rng, self.vocab, self.now = questions, random.Random(seed), vocabulary, now
        self.start = now - SPAN
        self.step = (SPAN - timedelta(hours=12)).total_seconds() / questions
        self.doctor_count, self.member_count = max(20, questions // 5000), max(10, questions // 5)
        self.ids = dict(ids)
        first_user = ids["users"]
        self.doctor_users = range(first_user, first_user + self.doctor_count)
        self.member_users = range(first_user + self.doctor_count, first_user + self.doctor_count + self.member_count)
        self.terms: Counter = Counter()  # the "Did you mean" vocabulary of the titles written
        self.doctor_answers = [0] * self.doctor_count
        self.doctor_helpful = [0] * self.doctor_count
        # A few threads with 20 answers (1 in 2,000, at least three), for long question pages.
        self.big = {i for i in range(1000, questions, 2000)} | {0, questions // 2, questions - 1}

    def _next(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    def people(self) -> dict[str, list[tuple]]:
        """Doctors (user, verified profile, license, topics) and members, one password hash for all."""
        password, rng = hash_password(PASSWORD), self.rng
        joined = stamp(self.start - timedelta(days=30))
        out = {name: [] for name in ("users", "doctor_profiles", "credentials", "doctor_topics")}
        for n, user_id in enumerate(self.doctor_users, start=1):
            out["users"].append((user_id, f"doctor{n}@bench.example", f"Dr. Bench Doctor {n}", password, joined,
                                 joined))
            profile_id = self._next("doctor_profiles")
            out["doctor_profiles"].append(self._profile(profile_id, user_id, n, joined))
            out["credentials"].append((self._next("credentials"), profile_id, "license", f"BENCH-{n:05d}",
                                       "Bench State Medical Board", "Bench data: not a real license", joined,
                                       date(self.now.year + 10, 12, 31)))
            for topic in rng.sample(self.vocab.topic_ids, rng.randint(2, 4)):
                out["doctor_topics"].append((profile_id, topic))
        for n, user_id in enumerate(self.member_users, start=1):
            out["users"].append((user_id, f"member{n}@bench.example", f"Bench Member {n}", password, joined, joined))
        self.ids["users"] = self.member_users.stop
        return out

    def _profile(self, profile_id: int, user_id: int, n: int, joined: str) -> tuple:
        rng = self.rng
        city, region, country = rng.choice(CITIES)
        bio = f"Fictional bench doctor number {n}, made up for load tests. Answers questions about skin."
        return (profile_id, user_id, f"Dr. Bench Doctor {n}", rng.choice(("MD", "MD, FAAD", "DO", "MBBS")),
                rng.choice(SPECIALTIES), "Bench Board of Dermatology (fictional)", f"BENCH-{n:05d}",
                "Bench State Medical Board", f"Bench Clinic {n}", city, region, country, bio,
                str(render_markdown(bio)), rng.random() < 0.8, "verified", joined, joined, "Bench data", joined)

    def doctor_totals(self) -> list[tuple[int, int, int]]:
        """(answer_count, helpful_count, profile id): visible answers on visible questions."""
        first = self.ids["doctor_profiles"] - self.doctor_count
        return [(self.doctor_answers[i], self.doctor_helpful[i], first + i) for i in range(self.doctor_count)]

    def threads(self, first: int, stop: int) -> dict[str, list[tuple]]:
        """Questions first..stop-1 with everything hanging off them."""
        out = {name: [] for name in THREAD_TABLES}
        for index in range(first, stop):
            self._thread(index, out)
        return out

    def _thread(self, index: int, out: dict[str, list[tuple]]) -> None:
        r, vocab = self.rng.random, self.vocab
        question_id = self._next("questions")
        asked = self.start + timedelta(seconds=(index + r()) * self.step)
        laser, melasma = r() < 0.75, r() < 0.05
        hidden = index not in self.big and r() < 0.01
        asker = self.member_users[int(r() ** 1.5 * self.member_count)]
        topics, treatments = vocab.subjects(self.rng, laser)
        title, (body, html) = vocab.title(self.rng, laser), vocab.question_body(self.rng, laser, melasma)
        out["question_topics"].extend((question_id, t) for t in topics)
        out["question_treatments"].extend((question_id, t) for t in treatments)
        slugs = vocab.topic_slugs(topics)
        answers = self._answers(question_id, asked, asker, laser, melasma, hidden, index, out)
        visible = [a for a in answers if not a["hidden"]]
        followers = self._follows(question_id, asker, asked, out)
        accepted = visible[int(r() * len(visible))] if visible and r() < 0.3 else None
        last = max([asked] + [a["at"] for a in answers] + [a["last"] for a in answers])
        for a in answers:
            a["accepted"] = a is accepted
            out["answers"].append(self._answer_row(question_id, a))
            if not hidden and not a["hidden"]:
                document = answer_document(a["id"], question_id, a["html"], slugs)
                out["search_documents"].append((self._next("search_documents"), *_document_row(document),
                                                stamp(a["at"])))
        asked_at = stamp(asked)
        out["questions"].append((
            question_id, asker, title, body, html, r() < 0.1, "answered" if visible else "open", hidden,
            accepted["id"] if accepted else None, len(visible), int(25 * (1 + len(answers)) * (0.3 + r()) ** 3),
            followers, sum(a["helpful"] for a in visible), stamp(min(a["at"] for a in answers)) if answers else None,
            stamp(last), asked_at))
        if not hidden:
            document = question_document(question_id, title, html, slugs)
            self.terms.update(vocabulary_words(document))
            out["search_documents"].append((self._next("search_documents"), *_document_row(document), asked_at))

    @staticmethod
    def _answer_row(question_id: int, a: dict) -> tuple:
        return (a["id"], question_id, a["author"], a["body"], a["html"], a["offers"], a["helpful"], a["agree"],
                a["disagree"], a["accepted"], a["hidden"], stamp(a["at"]))

    def _answers(self, question_id: int, asked: datetime, asker: int, laser: bool, melasma: bool,
                 hidden_question: bool, index: int, out: dict[str, list[tuple]]) -> list[dict]:
        r = self.rng.random
        count = 20 if index in self.big else bisect(ANSWERS_CUM, r())
        window = min(timedelta(hours=240), (self.now - asked) * 0.9)
        doctors: list[int] = []
        while len(doctors) < count:
            pick = int(r() ** 2 * self.doctor_count)  # a few doctors answer far more than the rest
            if pick not in doctors:
                doctors.append(pick)
        answers = []
        for pick, at in zip(doctors, sorted(asked + MIN_DELAY + window * (r() ** 3) for _ in doctors)):
            body, html = self.vocab.answer_body(self.rng, laser, melasma)
            a = {"id": self._next("answers"), "author": self.doctor_users[pick], "at": at, "body": body,
                 "html": html, "offers": r() < 0.15, "hidden": r() < 0.005}
            a["helpful"] = self._votes(a, out)
            a["agree"], a["disagree"] = self._reviews(a, out)
            a["last"] = self._follow_ups(a, asker, hidden_question, out)
            if not hidden_question and not a["hidden"]:
                self.doctor_answers[pick] += 1
                self.doctor_helpful[pick] += a["helpful"]
            answers.append(a)
        return answers

    def _later(self, at: datetime, share: float) -> str:
        return stamp(at + (self.now - at) * share)

    def _votes(self, a: dict, out: dict[str, list[tuple]]) -> int:
        r, rows = self.rng.random, out["helpful_votes"]
        voters: set[int] = set()
        for _ in range(min(bisect(VOTES_CUM, r()), self.member_count)):
            voter = self.member_users[int(r() * self.member_count)]
            while voter in voters:
                voter = self.member_users[int(r() * self.member_count)]
            voters.add(voter)
            rows.append((self._next("helpful_votes"), a["id"], voter, self._later(a["at"], r() ** 6)))
        return len(voters)

    def _reviews(self, a: dict, out: dict[str, list[tuple]]) -> tuple[int, int]:
        r = self.rng.random
        if r() >= 0.25:
            return 0, 0
        agree = disagree = 0
        reviewers = {a["author"]}
        for _ in range(1 if r() < 0.7 else 2 + int(r() * 3)):
            doctor = self.doctor_users[int(r() * self.doctor_count)]
            if doctor in reviewers:
                continue
            reviewers.add(doctor)
            reason = self.vocab.disagree_reason(self.rng) if r() < 0.2 else None
            agree, disagree = agree + (reason is None), disagree + (reason is not None)
            out["answer_reviews"].append((self._next("answer_reviews"), a["id"], doctor,
                                          "disagree" if reason else "agree", reason, self._later(a["at"], r() ** 6)))
        return agree, disagree

    def _follow_ups(self, a: dict, asker: int, hidden_question: bool, out: dict[str, list[tuple]]) -> datetime:
        """Alternating asker/doctor exchange under a visible answer; returns the last activity time."""
        r, last = self.rng.random, a["at"]
        if hidden_question or a["hidden"] or r() >= 0.2:
            return last
        for turn in range(1 + int(r() * 4)):
            last = last + (self.now - last) * (r() ** 8)
            body, html = self.vocab.follow_up(self.rng, doctor=turn % 2 == 1)
            out["follow_ups"].append((self._next("follow_ups"), a["id"], a["author"] if turn % 2 else asker, body,
                                      html, False, stamp(last)))
        return last

    def _follows(self, question_id: int, asker: int, asked: datetime, out: dict[str, list[tuple]]) -> int:
        """The asker follows their question; now and then other members do too."""
        r, followers = self.rng.random, {asker}
        out["follows"].append((self._next("follows"), asker, question_id, stamp(asked)))
        for _ in range(0 if r() < 0.7 else 1 + int(r() ** 2 * 4)):
            member = self.member_users[int(r() * self.member_count)]
            if member not in followers:
                followers.add(member)
                out["follows"].append((self._next("follows"), member, question_id, self._later(asked, r() ** 6)))
        return len(followers)


# Sentences hold no Markdown syntax and nothing HTML escapes, so a paragraph renders as
# "<p>" + text + "</p>\n"; check_fast_path proves it against render_markdown at start-up.
TITLES = ("Is {x} worth it for {c}?", "How many sessions of {x} does {c} usually need?",
          "Does {x} really help with {c}?", "What results can I expect from {x} for {c} at {age}?",
          "Should I try {x} or {t} for {c}?", "How long before {x} shows results on {c}?",
          "Is {x} safe for {skin} skin with {c}?", "Best approach for {c} at {age} with little downtime?")
ASKS = ("I am {age} and have had {c} for about {n} years.", "My dermatologist suggested {t}, but I am not sure "
        "it is right for me.", "I tried {t} {n} times last year and saw only a small change.",
        "My skin is {skin} and it gets irritated easily.", "My budget is about {money} dollars for the whole "
        "course of treatment.", "A friend told me that {t} is the only thing that works for {c}.",
        "I would like to avoid a long recovery because of work.", "What should I ask during the first consultation?",
        "Is there anything I should stop using before the appointment?", "I already use sunscreen every "
        "morning and a gentle cleanser at night.", "Would a prescription cream be a sensible first step for {c}?",
        "How long does the pinkness usually last after {t}?", "I mostly notice the {c} in photos and under "
        "bright office lights.", "Is it worth combining {t} with {t2}, or is that too much at once?")
ASKS_LASER = ("The clinic near me offers {l} and says I need {n} sessions.", "I am worried that a laser could "
              "leave darker patches on my skin.", "Is laser treatment fine in summer or should I wait for winter?",
              "A friend had {l} last year and her {c} improved a lot.", "The quote for {l} was {money} dollars, "
              "which seems high.")
ASKS_MELASMA = ("I also have melasma on my cheeks and upper lip.", "Could this make my melasma worse, or help it?",
                "My melasma gets darker every summer even with sunscreen.")
REPLIES = ("{T} can improve {c}, but results build slowly over {n} to {m} months.", "Most patients need {n} "
           "sessions spaced about four weeks apart.", "Start with a nightly retinoid and daily sunscreen before "
           "anything more invasive.", "Please see a board certified dermatologist in person so your skin can be "
           "examined.", "Expect some pinkness and mild puffiness for two to three days.", "Downtime is usually "
           "short, but sun protection afterwards matters a lot.", "Results vary with skin type, so a test patch "
           "is a sensible first step.", "For {c}, I often combine {t} with a topical retinoid at home.",
           "Avoid picking at the skin, which makes scarring more likely.", "At {age}, {c} usually responds well "
           "to a steady routine over a few months.", "Be wary of clinics that promise a complete cure for {c} "
           "after one visit.", "A realistic goal is a visible improvement of {c}, not perfect skin.",
           "{T} is a reasonable option if you can commit to {n} sessions.")
REPLIES_LASER = ("A fractional laser is often the most effective option for {c}.", "On darker skin, lower laser "
                 "settings reduce the risk of pigment changes.", "{L} usually needs {n} sessions, with about a "
                 "week of downtime each.", "After {l}, avoid direct sun for at least two weeks.",
                 "I would not start with a laser before trying {t} for a few months.")
REPLIES_MELASMA = ("Melasma is driven by hormones and sunlight, so it tends to come back.", "For melasma, I avoid "
                   "aggressive heat based treatments and prefer gentle peels.", "Keep in mind that melasma needs "
                   "maintenance with sunscreen all year.")
FOLLOW_ASKER = ("Thank you, that helps a lot.", "How soon after a session can I wear makeup again?",
                "Should I stop my retinoid before the first session?", "Would you recommend a test spot first?",
                "Is it normal that my skin feels tight for a few days?")
FOLLOW_DOCTOR = ("Yes, wait at least a week and keep using sunscreen.", "A test spot is a sensible idea for your "
                 "skin type.", "Stop the retinoid five days before and restart once the skin has settled.",
                 "Some tightness for a few days is expected; a plain moisturiser helps.")
DISAGREE = ("I would not recommend this on darker skin without a test spot first.", "The evidence for this "
            "combination is weak; I would start with a retinoid.", "Two sessions is optimistic; most patients "
            "need more than that.")
CONCERNS = ("acne scars", "large pores on my nose", "uneven skin tone", "frown lines", "lines around my eyes",
            "sun damage", "rough texture on my cheeks", "redness around my nose")
TREATMENTS = ("Botox", "a retinoid", "a gentle peel", "tretinoin", "niacinamide serum", "azelaic acid")
LASERS = ("CO2 laser", "laser resurfacing", "a pico laser", "laser toning", "Fraxel laser", "a pulsed dye laser")
SKINS = ("oily", "dry", "combination", "sensitive", "olive", "very fair", "dark brown")
SAFE = re.compile(r"[A-Z][A-Za-z0-9 ,.?;()-]*[.?]")
VARIANTS = 30


def _phrase(name: str) -> str:
    name = re.sub(r"\s*\(.*?\)", "", name)
    return name if name.startswith("Botox") else name[0].lower() + name[1:]


class Vocabulary:
    """Titles and bodies from the seeded topic and treatment names: "laser" in about 75% of
    threads (every search document of the thread), "melasma" in about 5%."""

    def __init__(self, topics: list, treatments: list):
        self.topic_ids = [t.id for t in topics]
        self.rank = {t.id: n for n, t in enumerate(topics)}  # `topics` come in the database's name order
        self.slug = {t.id: t.slug for t in topics}
        self.plain_topics = [t.id for t in topics if "laser" not in t.slug]
        self.plain_treatments = [t.id for t in treatments if "laser" not in t.slug]
        self.treatment_ids = [t.id for t in treatments]
        concern = [t.name.lower() for t in topics if t.kind == "concern"]
        cured = [_phrase(t.name) for t in treatments]
        self.fill = {"c": concern + list(CONCERNS), "t": [p for p in cured if "laser" not in p] + list(TREATMENTS),
                     "l": [p for p in cured if "laser" in p] + list(LASERS), "skin": SKINS}
        expand = random.Random(2026)
        self.titles = [self._expand(expand, t.replace("{x}", "{t2}")) for t in TITLES]  # never "x or x"
        self.laser_titles = [self._expand(expand, t.replace("{x}", "{l}")) for t in TITLES if "{x}" in t]
        self.pools = {name: [self._expand(expand, s) for s in sentences] for name, sentences in (
            ("ask", ASKS), ("ask_laser", ASKS_LASER), ("ask_melasma", ASKS_MELASMA), ("reply", REPLIES),
            ("reply_laser", REPLIES_LASER), ("reply_melasma", REPLIES_MELASMA), ("follow_asker", FOLLOW_ASKER),
            ("follow_doctor", FOLLOW_DOCTOR), ("disagree", DISAGREE))}

    def _expand(self, rng: random.Random, template: str) -> list[str]:
        """Up to VARIANTS fillings of one template's {slots}."""
        if "{" not in template:
            return [template]
        out = set()
        for _ in range(VARIANTS):
            t, t2 = rng.sample(self.fill["t"], 2)
            lz = rng.choice(self.fill["l"])
            n = rng.randint(2, 5)
            out.add(template.format(c=rng.choice(self.fill["c"]), t=t, t2=t2, l=lz, T=t[0].upper() + t[1:],
                                    L=lz[0].upper() + lz[1:], n=n, m=n + rng.randint(1, 4), age=rng.randint(19, 64),
                                    skin=rng.choice(SKINS), money=rng.randrange(300, 5000, 50)))
        return sorted(out)

    def everything(self) -> list[str]:
        """Every sentence and title the vocabulary can produce."""
        groups = self.titles + self.laser_titles + [v for pool in self.pools.values() for v in pool]
        return [text for group in groups for text in group]

    @staticmethod
    def _pick(rng: random.Random, groups: list[list[str]]) -> str:
        group = groups[int(rng.random() * len(groups))]
        return group[int(rng.random() * len(group))]

    def title(self, rng: random.Random, laser: bool) -> str:
        return self._pick(rng, self.laser_titles if laser else self.titles)

    def subjects(self, rng: random.Random, laser: bool) -> tuple[list[int], list[int]]:
        topics = rng.sample(self.topic_ids if laser else self.plain_topics, 1 + int(rng.random() ** 2 * 3))
        count = int(rng.random() * 3)
        return topics, rng.sample(self.treatment_ids if laser else self.plain_treatments, count) if count else []

    def topic_slugs(self, topic_ids: list[int]) -> list[str]:
        """As Question.topics lists them (by name), for search_index's documents."""
        return [self.slug[t] for t in sorted(topic_ids, key=self.rank.__getitem__)]

    def _body(self, rng: random.Random, count: int, plain: str, laser: bool, melasma: bool) -> tuple[str, str]:
        r, pools = rng.random, self.pools
        sentences, used, count = [], set(), min(count, len(pools[plain]))
        while len(sentences) < count:  # each template at most once a body
            groups = pools[plain + "_laser"] if laser and r() < 0.3 else pools[plain]
            group = groups[int(r() * len(groups))]
            if id(group) not in used:
                used.add(id(group))
                sentences.append(group[int(r() * len(group))])
        if melasma:
            sentences[int(r() * count)] = self._pick(rng, pools[plain + "_melasma"])
        cut = count // 2 if count > 2 and r() < 0.6 else count
        paragraphs = [" ".join(sentences[:cut]), " ".join(sentences[cut:])] if cut < count else [" ".join(sentences)]
        return "\n\n".join(paragraphs), "".join(f"<p>{p}</p>\n" for p in paragraphs)

    def question_body(self, rng: random.Random, laser: bool, melasma: bool) -> tuple[str, str]:
        return self._body(rng, 2 + int(rng.random() * 3), "ask", laser, melasma)

    def answer_body(self, rng: random.Random, laser: bool, melasma: bool) -> tuple[str, str]:
        return self._body(rng, 2 + int(rng.random() * 4), "reply", laser, melasma)

    def follow_up(self, rng: random.Random, *, doctor: bool) -> tuple[str, str]:
        text = self._pick(rng, self.pools["follow_doctor" if doctor else "follow_asker"])
        return text, f"<p>{text}</p>\n"

    def disagree_reason(self, rng: random.Random) -> str:
        return self._pick(rng, self.pools["disagree"])


def check_fast_path(vocabulary: Vocabulary, seed: int) -> None:
    """Every sentence renders as a plain paragraph, none trips a safety red flag, the plain
    pools never say laser or melasma, and sample bodies equal render_markdown exactly."""
    for text in vocabulary.everything():
        if not SAFE.fullmatch(text) or str(render_markdown(text)) != f"<p>{text}</p>\n" or triage.red_flags(text):
            raise BenchDataError(f"Bench vocabulary sentence breaks the fast path: {text!r}")
    plain = vocabulary.titles + [v for name, pool in vocabulary.pools.items()
                                 if not name.endswith(("_laser", "_melasma")) for v in pool]
    if any(word in text.lower() for group in plain for text in group for word in ("laser", "melasma")):
        raise BenchDataError("A plain bench sentence mentions laser or melasma.")
    rng = random.Random(seed)
    for n in range(60):
        body, html = (vocabulary.question_body if n % 2 else vocabulary.answer_body)(rng, n % 3 == 0, n % 5 == 0)
        if str(render_markdown(body)) != html or triage.red_flags(body):
            raise BenchDataError(f"Bench body breaks the fast path: {body!r}")
