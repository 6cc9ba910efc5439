"""Contract test: schemathesis generates requests from /api/v1/openapi.json and checks every
response against the same document (issue #12, item 9).

Every operation is run twice, with a member's bearer token and anonymously, against a seeded
database (topics, treatments, articles, demo doctors, members and questions), with positive
and negative data. Every check schemathesis 3.39 has for single requests runs on each case;
the test lists the failures by check and operation and fails on any.
"""
from __future__ import annotations

import dataclasses
import os
import time
from collections import Counter, defaultdict
from pathlib import Path

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import DataGenerationMethod, GenerationConfig
from schemathesis.exceptions import CheckFailed
from schemathesis.exceptions import SkipTest
from schemathesis.specs.openapi.checks import has_only_additional_properties_in_non_body_parameters
from schemathesis.types import NotSet

from forum.services.seed import load_seed
from tests.factories import make_user, mint_token

SEED = Path(__file__).resolve().parents[2] / "seed"
SPEC_PATH = "/api/v1/openapi.json"
MIN_CASES = 2000
PROGRESS = os.environ.get("FORUM_CONTRACT_PROGRESS")  # print a line per operation (run with -s)
# schemathesis 3 builds its resolver on jsonschema's deprecated RefResolver when it loads a document
pytestmark = pytest.mark.filterwarnings("ignore:jsonschema.RefResolver is deprecated:DeprecationWarning")
# Examples per operation and per auth mode, valid and invalid
EXAMPLES = {DataGenerationMethod.positive: int(os.environ.get("FORUM_CONTRACT_EXAMPLES", "15")),
            DataGenerationMethod.negative: int(os.environ.get("FORUM_CONTRACT_NEGATIVE_EXAMPLES", "8"))}

# `checks=all` in schemathesis 3.39: not_a_server_error, status_code_conformance,
# content_type_conformance, response_headers_conformance, response_schema_conformance,
# negative_data_rejection and ignored_auth. (use_after_free and ensure_resource_availability
# need a stateful run's history; positive_data_acceptance is opt-in and counts a refusal by a
# domain rule, e.g. 409 "already answered", as a failure.)
CHECKS = tuple(schemathesis.checks.ALL_CHECKS)
negative_data_rejection = next(check for check in CHECKS if check.__name__ == "negative_data_rejection")


@pytest.fixture
def app_config():
    # Posting limits are documented (429 + Retry-After) and have their own tests; generated
    # writes come faster than any person's, so the run itself does not count them.
    return {"RATELIMIT_ENABLED": False}


@pytest.fixture
def seeded(app):
    load_seed(SEED, demo=True)
    member = make_user(display_name="Contract Member")
    return {"Authorization": f"Bearer {mint_token(member, name='contract test')}"}


def _run_operation(operation, method: DataGenerationMethod, headers: dict, tally: Counter, failures: dict) -> None:
    @settings(max_examples=EXAMPLES[method], derandomize=True, deadline=None, database=None, print_blob=False,
              suppress_health_check=list(HealthCheck), phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate])
    @given(case=operation.as_strategy(data_generation_method=method))
    def run(case):
        tally["cases"] += 1
        case.headers, case.cookies = case.headers or {}, case.cookies or {}  # ignored_auth writes into them
        response = case.call(headers=headers)
        for check in CHECKS:
            if check is negative_data_rejection and (_only_undocumented_extras(case) or _vanishes_in_query(case)):
                continue
            try:
                case.validate_response(response, checks=(check,), headers=headers)
            except CheckFailed as exc:
                key = (check.__name__, operation.verbose_name)
                sent = {k: v for k, v in (("headers", case.headers), ("query", case.query), ("body", case.body))
                        if v and not isinstance(v, NotSet)}
                failures[key].append(f"{method.name} {response.status_code} {_first_line(exc)} | sent {sent!r:.200}")
                tally[check.__name__] += 1
        response.close()  # a streamed answer (the export zip) holds a file until closed

    if method is DataGenerationMethod.negative and (_free_text_in_path(operation) or _multipart(operation)):
        return
    try:
        run()
    except SkipTest:  # nothing to make invalid (no parameters, no body)
        pass
    except hypothesis.errors.Unsatisfiable:  # schemathesis finds no invalid value it can send
        tally[f"no {method.name} data: {operation.verbose_name}"] += 1


def _free_text_in_path(operation) -> bool:
    """A free-text path segment (slug, consultation id): schemathesis 3.39 rejects most invalid
    values it makes for one (they would not survive in a URL) and spends minutes before giving up
    (hypothesis' 1,000-call floor), so such operations get valid data only."""
    schemas = [parameter.definition.get("schema", {}) for parameter in operation.path_parameters]
    return any(schema.get("type") == "string" and "enum" not in schema for schema in schemas)


def _multipart(operation) -> bool:
    """A multipart/form-data body (a photo upload): schemathesis 3.39 makes invalid bodies of other
    types (a number) that it cannot itself encode as a form, and crashes; such operations get valid
    data only (the refusals of bad input are tested in tests/api)."""
    return any(body.media_type == "multipart/form-data" for body in operation.body)


def _only_undocumented_extras(case) -> bool:
    """A "negative" case whose only deviation is headers or query keys the operation does not document.
    No server refuses an unknown header; schemathesis 3.39 means to let such cases pass, but marks the path
    "negative" even for an operation without path parameters, which defeats its own exception."""
    if case.meta is None or case.operation.path_parameters:
        return False
    meta = dataclasses.replace(case.meta, path_parameters=None)
    return has_only_additional_properties_in_non_body_parameters(dataclasses.replace(case, meta=meta))


def _vanishes_in_query(case) -> bool:
    """A "negative" query value that encodes to nothing (an empty object or list): the request sent
    is then a valid one without that parameter, and a 200 is right."""
    return any(value in ({}, []) for value in (case.query or {}).values())


def _first_line(exc: Exception) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return " | ".join(lines[:3])[:300]


def _contract(app, headers: dict) -> tuple[Counter, dict]:
    # The bearer token is the test's, not generated: no invalid Authorization header in "negative" cases.
    schema = schemathesis.from_wsgi(SPEC_PATH, app, data_generation_methods=DataGenerationMethod.all(),
                                    generation_config=GenerationConfig(with_security_parameters=False))
    tally: Counter = Counter()
    failures: dict = defaultdict(list)
    for result in schema.get_all_operations():
        for method in EXAMPLES:
            _run_operation(result.ok(), method, headers, tally, failures)
        if PROGRESS:
            print(f"{time.monotonic():.0f} {result.ok().verbose_name}: {tally['cases']} cases", flush=True)
    return tally, failures


def _report(label: str, tally: Counter, failures: dict) -> str:
    lines = [f"{label}: {tally['cases']} cases, {sum(len(v) for v in failures.values())} failures"]
    lines += [f"  {name}: {count}" for name, count in sorted(tally.items()) if name != "cases"]
    for (check, operation), items in sorted(failures.items()):
        lines.append(f"  [{check}] {operation}: {len(items)}x, e.g. {items[0]}")
    return "\n".join(lines)


def test_the_api_keeps_its_openapi_contract_with_a_member_token_and_anonymously(app, seeded):
    started = time.monotonic()
    member_tally, member_failures = _contract(app, seeded)
    anon_tally, anon_failures = _contract(app, {})
    report = _report("member", member_tally, member_failures) + "\n" + _report("anonymous", anon_tally, anon_failures)
    print(report, f"\n{time.monotonic() - started:.0f} s")
    assert member_tally["cases"] + anon_tally["cases"] >= MIN_CASES, report
    assert not member_failures and not anon_failures, report
