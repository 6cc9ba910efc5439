"""The `forum` command: Flask's commands (run, db ...) plus the forum's own."""
from __future__ import annotations

import os
import signal
import time

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

import forum  # the module, not its names: forum/__init__ imports this file
from forum.deploy_checks import deploy_problems
from forum.jobs import scheduler
from forum.errors import Invalid
from forum.models import Role
from forum.passwords import password_problem
from forum import clock
from forum.services import accounts, bench_data, digests, moderation, outbox, questions, search_index, site, stats
from forum.services import two_factor
from forum.services import seed as seed_service


@click.group(cls=FlaskGroup, create_app=lambda: forum.create_app())
def cli():
    """Ask a Cosmetic Doctor management commands."""


@cli.command("check-deploy", with_appcontext=False)
def check_deploy() -> None:
    """Check the configuration this environment gives production (FORUM_ENV and FORUM_* as the
    servers read them) for a public deployment; name every problem and exit 1, or exit 0.
    Runs without a database, Redis or a secret key: it reports those instead of refusing."""
    app = forum.configured_app(refuse_unsafe=False)
    problems = deploy_problems(app.config)
    if not problems:
        click.echo("check-deploy: no problems found.")
        return
    for problem in problems:
        click.echo(str(problem))
    click.echo(f"check-deploy: {len(problems)} problem(s) found.")
    raise SystemExit(1)


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default="member")
@with_appcontext
def create_user(email: str, display_name: str, role: str) -> None:
    """Create an account; the only way to make moderators and admins. The password is asked
    for (or read from FORUM_NEW_USER_PASSWORD for scripts) and never shown."""
    password = os.environ.get("FORUM_NEW_USER_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    problem = password_problem(password, email=email)
    if problem:
        raise click.ClickException(problem)
    try:
        user = accounts.create_user_cli(email=email, display_name=display_name, password=password, role=Role(role))
    except Invalid as e:
        raise click.ClickException(e.message) from None
    click.echo(f"Created {user.role.value} {user.email} (id {user.id}).")
    if user.role != Role.MEMBER:
        click.echo("Staff must turn on two-factor before anything else: after logging in they are sent to "
                   "/account/two-factor to scan a QR code with an authenticator app.")


@click.command("reset-two-factor")
@click.option("--email", required=True)
@with_appcontext
def reset_two_factor(email: str) -> None:
    """Turn two-factor off for an account whose owner lost their phone and recovery codes (after
    checking who they are out of band). The owner is e-mailed; staff must enrol again."""
    user = accounts.find_user_by_email(email)
    if user is None or not user.two_factor_enabled:
        raise click.ClickException("No account with two-factor on uses that address.")
    two_factor.reset_for_user_cli(user)
    click.echo(f"Two-factor is off for {user.email}; they were told by e-mail.")


@click.command("lapse-expired")
@with_appcontext
def lapse_expired() -> None:
    """Lapse verifications whose license expired (run daily from cron)."""
    click.echo(f"{moderation.lapse_expired_verifications()} verification(s) lapsed.")


@click.command("remind-reviews")
@with_appcontext
def remind_reviews() -> None:
    """Remind doctors of medical reviews that fell due (the scheduler runs it daily)."""
    from forum.services import medical_reviews
    click.echo(f"{medical_reviews.remind_due_reviews()} doctor(s) reminded.")


@click.command("send-mail")
@with_appcontext
def send_mail() -> None:
    """Send the mail that is due in the outbox now, in this process (the job worker does this
    on its own; this is for a one-off drain)."""
    click.echo(f"{outbox.deliver_due()} mail(s) sent.")


@click.command("send-digests")
@with_appcontext
def send_digests() -> None:
    """Queue the activity digests due now (the scheduler runs this every 15 minutes)."""
    click.echo(f"Queued {digests.send_due_digests(clock.now())} digest(s).")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty (tests, one-off drains).")
@with_appcontext
def worker(burst: bool) -> None:
    """Run a job worker: takes jobs from the Redis queue (mail, lapses, view flushes, aggregates)
    and retries failed ones with backoff. Run one or more per server; SIGTERM finishes the job."""
    jobs = current_app.extensions["forum_jobs"]
    if not hasattr(jobs, "queue"):
        raise click.ClickException("FORUM_JOBS_BACKEND is not rq: there is no queue to work on.")
    jobs.work(current_app._get_current_object(), burst=burst)


@click.command("scheduler")
@click.option("--interval", type=click.FloatRange(0.1, 60), default=5.0, show_default=True)
@with_appcontext
def scheduler_command(interval: float) -> None:
    """Enqueue the periodic jobs (outbox sweep and view flush every minute, aggregates every five,
    licence lapses and planner statistics daily). Safe to run on every server."""
    jobs = current_app.extensions["forum_jobs"]
    if not hasattr(jobs, "queue"):
        raise click.ClickException("FORUM_JOBS_BACKEND is not rq: there is no queue to schedule into.")
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    scheduler.run(jobs, interval=interval, stop=lambda: bool(stopping))


@click.command("seed")
@click.option("--demo", is_flag=True, help="Also add fictional demo doctors, members and content.")
@click.option("--if-empty", is_flag=True, help="Only load when the database has no reference content yet "
              "(with --demo: no questions and no doctors yet).")
@click.option("--path", type=click.Path(exists=True, file_okay=False), default=None,
              help="Seed folder (default: the repository's seed/).")
@with_appcontext
def seed(demo: bool, if_empty: bool, path: str | None) -> None:
    """Load reference content (and demo data on request). Safe to run again: unchanged records
    are left alone, edited files update their records, nothing is deleted."""
    if if_empty and not seed_service.database_is_empty(demo=demo):
        click.echo("Demo content already present; nothing loaded." if demo
                   else "Reference content already present; nothing loaded.")
        return
    try:
        report = seed_service.load_seed(path or current_app.config["SEED_PATH"], demo=demo)
    except seed_service.SeedError as err:
        raise click.ClickException(str(err)) from None
    click.echo(report.summary())
    stats.refresh_all()  # the home counts and per-topic figures include what was just loaded


@click.command("flush-views")
@with_appcontext
def flush_views() -> None:
    """Write buffered question views to the database (run every minute)."""
    click.echo(f"{questions.flush_view_counts()} view(s) written.")


@click.command("refresh-stats")
@with_appcontext
def refresh_stats() -> None:
    """Recompute the stored aggregates: home counts, doctors per topic, median answer times
    (run every few minutes)."""
    click.echo(f"{stats.refresh_all()} aggregate(s) stored.")


@click.command("search-rebuild")
@with_appcontext
def search_rebuild() -> None:
    """Rebuild the search index and its "Did you mean" vocabulary from the content (synonyms
    apply to queries: editing synonyms.toml needs no rebuild)."""
    documents, words = search_index.rebuild()
    click.echo(f"{documents} document(s) and {words} vocabulary word(s) indexed.")


@click.command("optimize-db")
@with_appcontext
def optimize_db() -> None:
    """Refresh the query planner's statistics (ANALYZE; PRAGMA optimize on SQLite); run daily."""
    site.optimize_database()
    click.echo("Planner statistics refreshed.")


@click.command("rerender")
@with_appcontext
def rerender() -> None:
    """Render every stored Markdown text again (after the renderer or its allow-list changed)."""
    click.echo(f"{site.rerender_markdown()} text(s) re-rendered.")


@click.command("bench-data")
@click.option("--questions", "count", type=click.IntRange(1, 5_000_000), required=True)
@click.option("--seed", "random_seed", type=int, default=1, show_default=True)
@with_appcontext
def bench_data_command(count: int, random_seed: int) -> None:
    """Bulk benchmark data: N questions with answers, votes, reviews, follow-ups and follows,
    with every counter and the search index consistent. Needs migrated, seeded reference content."""
    started = time.monotonic()
    try:
        made = bench_data.generate(questions=count, seed=random_seed)
    except bench_data.BenchDataError as err:
        raise click.ClickException(str(err)) from None
    click.echo(", ".join(f"{k}: {v}" for k, v in made.items()))
    click.echo(f"Done in {time.monotonic() - started:.1f} s.")


def register_cli(app: Flask) -> None:
    for command in (create_user, reset_two_factor, lapse_expired, send_mail, seed, flush_views, refresh_stats,
                    search_rebuild, optimize_db, rerender, bench_data_command, worker, scheduler_command,
                    send_digests, remind_reviews):
        app.cli.add_command(command)
