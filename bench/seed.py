"""Synthetic data at benchmark scale, loaded with PostgreSQL COPY.

The shape follows a real tracker: a few prominent agreements carry thousands of events,
statements and article links while most carry a handful (power-law weights, one shared
"prominence" order so the biggest agreement is biggest in everything); actors are mostly people
and organisations, some agencies and courts, a few of them very busy. Every model constraint
holds by construction (unique slugs and links, one target per link or alias, dates in order), so
the rows are what the services could have written. Change history is not generated: bulk loads
bypass django-simple-history on purpose.

Rows are streamed into `COPY … FROM STDIN` one table at a time inside one transaction; nothing
is held in memory but ids and weights. Columns a later migration adds are filled with the
field's default, so the generator keeps working while the schema grows; a required column with
no default stops it with a message naming the field.
"""

import datetime as dt
import itertools
import json
import math
import random
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.core.management import call_command, get_commands
from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction

from .words import WordModel, read_corpus

# Every date is relative to this, not to the clock, so a seed gives the same rows every day.
REFERENCE = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
EPOCH = dt.date(2012, 1, 1)
SEED_APPS = ("tracker", "news", "opendata")


@dataclass(frozen=True)
class Scale:
    agreements: int
    actors: int
    articles: int
    events: int
    statements: int
    links: int
    challenges: int
    topics: int
    outlets: int


SCALES = {
    "small": Scale(
        agreements=100,
        actors=500,
        articles=2_000,
        events=3_000,
        statements=1_000,
        links=3_700,
        challenges=20,
        topics=12,
        outlets=20,
    ),
    "medium": Scale(
        agreements=10_000,
        actors=50_000,
        articles=200_000,
        events=300_000,
        statements=100_000,
        links=370_000,
        challenges=2_000,
        topics=60,
        outlets=300,
    ),
    "large": Scale(
        agreements=50_000,
        actors=200_000,
        articles=1_000_000,
        events=1_500_000,
        statements=500_000,
        links=1_850_000,
        challenges=10_000,
        topics=120,
        outlets=1_000,
    ),
}


class SeedError(Exception):
    """The database cannot be seeded as asked (not PostgreSQL, not empty, unknown column)."""


def zipf_weights(n: int, exponent: float) -> list[float]:
    return [1.0 / (rank + 1) ** exponent for rank in range(n)]


def allocate(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """Split `total` over the slots in proportion to `weights`, each getting `minimum` first."""
    rest = max(total - minimum * len(weights), 0)
    scale = rest / sum(weights)
    counts = [minimum + int(w * scale) for w in weights]
    for i in range(total - sum(counts)):
        counts[i % len(counts)] += 1
    return counts


def slugify(text: str, pk: int) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:150].rstrip("-")
    return f"{base}-{pk}" if base else str(pk)


class Picker:
    """Weighted draws from a list of ids (power law over a shuffled order)."""

    def __init__(self, ids: list[int], exponent: float, rng: random.Random, *, shuffle=True):
        self.ids = list(ids)
        if shuffle:
            rng.shuffle(self.ids)
        self.cum = list(itertools.accumulate(zipf_weights(len(self.ids), exponent)))
        self.rng = rng

    def one(self) -> int:
        return self.rng.choices(self.ids, cum_weights=self.cum)[0]

    def many(self, k: int) -> list[int]:
        return self.rng.choices(self.ids, cum_weights=self.cum, k=k)

    def distinct(self, k: int) -> list[int]:
        k = min(k, len(self.ids))
        chosen: dict[int, None] = {}
        for _ in range(20):
            for pk in self.many(k - len(chosen)):
                chosen[pk] = None
            if len(chosen) >= k:
                break
        if len(chosen) < k:  # the weights are too steep: top up uniformly
            for pk in self.rng.sample(self.ids, min(len(self.ids), 4 * k)):
                chosen[pk] = None
                if len(chosen) >= k:
                    break
        return list(chosen)[:k]


@dataclass
class Report:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


class _Log:
    """A file-like stdout for call_command that writes through the seed's log, indented."""

    def __init__(self, log):
        self.log = log

    def write(self, text: str) -> None:
        if text.strip():
            self.log("    " + text.rstrip())

    def flush(self) -> None:
        pass


class Loader:
    """COPY rows into a model's table, filling columns the generator does not know with defaults."""

    def __init__(self, cursor, report: Report, log):
        self.cursor = cursor
        self.report = report
        self.log = log

    def copy(self, model, columns: list[str], rows) -> int:
        meta = model._meta
        extra_columns, extra_values = [], []
        for f in meta.concrete_fields:
            if f.attname in columns:
                continue
            # A text field with no default is "" in Django's eyes too.
            if f.has_default() or (not f.null and f.get_default() == ""):
                value = f.get_db_prep_save(f.get_default(), connection)
            elif f.null:
                value = None
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = REFERENCE
            else:
                raise SeedError(
                    f"seed_bench does not know how to fill {meta.label}.{f.name} "
                    "(required, no default): add it to bench/seed.py."
                )
            extra_columns.append(f.column)
            extra_values.append(value)
        names = [meta.get_field(c).column if c != "id" else meta.pk.column for c in columns]
        names = ", ".join(connection.ops.quote_name(c) for c in names + extra_columns)
        table = connection.ops.quote_name(meta.db_table)
        started = time.perf_counter()
        n = 0
        extra = tuple(extra_values)
        with self.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            write = copy.write_row
            for row in rows:
                write(row + extra if extra else row)
                n += 1
        elapsed = time.perf_counter() - started
        self.report.counts[meta.db_table] = n
        self.report.seconds[meta.db_table] = elapsed
        self.log(f"  {meta.db_table:<36} {n:>10,} rows {elapsed:7.1f} s")
        return n


def _m2m_columns(through) -> list[str]:
    return ["id", *(f.attname for f in through._meta.concrete_fields if f.is_relation)]


def seed_tables():
    """Every table the generator owns: the record, the news and their history and m2m tables."""
    models = []
    for label in SEED_APPS:
        models += apps.get_app_config(label).get_models(include_auto_created=True)
    return models


def reset(log) -> None:
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in seed_tables())
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    log("  emptied the record and the news tables")


def _skip_foreign_key_triggers() -> bool:
    """Switch off the per-row foreign-key triggers for this transaction, as pg_restore does.

    Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: loaded with triggers on, each of
    millions of rows queues a check (and a row lock on its parent) that runs at COMMIT, which
    then takes minutes. With them off, `_check_foreign_keys` checks every key in one anti-join
    per key. Needs a superuser (as on this machine and in CI); otherwise the triggers stay on:
    slower, equally safe.
    """
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        return False
    return True


def _drop_secondary_indexes() -> list[str]:
    """Drop the plain (non-unique) indexes of the seeded tables; return how to rebuild them.

    Building an index once over loaded rows is several times faster than updating it row by
    row. Primary keys and unique indexes stay, so the database still refuses a duplicate.
    """
    tables = [m._meta.db_table for m in seed_tables()]
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
               FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
               WHERE t.relname = ANY(%s) AND NOT i.indisprimary AND NOT i.indisunique
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
               ORDER BY 1""",
            [tables],
        )
        found = cursor.fetchall()
        for name, _definition in found:
            cursor.execute(f"DROP INDEX {name}")
    return [definition for _name, definition in found]


def _check_foreign_keys() -> None:
    """Every foreign key of the seeded tables points at an existing row, or the load fails."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in seed_tables():
            for f in model._meta.concrete_fields:
                if not (f.is_relation and f.db_constraint):
                    continue
                target = f.target_field
                cursor.execute(
                    f"SELECT count(*) FROM {qn(model._meta.db_table)} c "
                    f"WHERE c.{qn(f.column)} IS NOT NULL AND NOT EXISTS ("
                    f"SELECT 1 FROM {qn(target.model._meta.db_table)} p "
                    f"WHERE p.{qn(target.column)} = c.{qn(f.column)})"
                )
                (missing,) = cursor.fetchone()
                if missing:
                    raise SeedError(
                        f"{missing} rows of {model._meta.db_table}.{f.column} point at no "
                        f"{target.model._meta.db_table} row: a bug in bench/seed.py."
                    )


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    span = max((end - start).days, 0)
    return start + dt.timedelta(days=rng.randint(0, span))


def _stamp(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC) + dt.timedelta(
        seconds=rng.randint(0, 86_399)
    )


def _truncate(day: dt.date, precision: str) -> dt.date:
    if precision == "year":
        return day.replace(month=1, day=1)
    if precision == "month":
        return day.replace(day=1)
    return day


_STATUSES = ["proposed", "signed", "in_effect", "in_effect", "suspended", "enjoined", "rescinded"]
_STATUSES += ["expired"]
_PRECISIONS = ["day"] * 17 + ["month"] * 2 + ["year"]
_FIRST = "Maria James Wei Aisha Robert Elena David Priya Samuel Grace Luis Fatima John Mei Omar "
_FIRST += "Sarah Daniel Ana Michael Leila Carlos Hannah Kwame Sofia Peter Nadia Thomas Rosa"
_LAST = "Garcia Smith Chen Okafor Johnson Rossi Patel Kim Nguyen Brown Cohen Silva Martin "
_LAST += "Haddad Lopez Walker Novak Murphy Ali Schmidt Tanaka Moreau Reyes Clark Adams Baker"
_ORG_SUFFIX = ["Coalition", "Institute", "Council", "Center", "Alliance", "Project", "Foundation"]
_ORG_SUFFIX += ["Network", "Association", "Union", "Fund", "Committee for Justice"]
_AGENCY_PREFIX = ["Office of", "Bureau of", "Administration for", "Agency for", "Service of"]
_STATES = "Alabama Alaska Arizona California Colorado Columbia Delaware Florida Georgia Hawaii "
_STATES += "Idaho Illinois Iowa Kansas Maine Maryland Michigan Montana Nevada Oregon Texas Utah"
_INSTRUMENTS = ["memorandum of understanding", "data-sharing agreement", "executive order", "rule"]
_INSTRUMENTS += ["guidance", "interagency agreement", "policy", "court order", "statute"]
_VENUES = ["in a statement", "told reporters", "in a post on X", "at a hearing", "in a letter"]
_VENUES += ["in an interview", "in a court filing", "at a press conference", ""]


def load(
    *,
    scale: Scale,
    seed: int = 1,
    corpus: Path | None = None,
    wipe: bool = False,
    search_index: bool = True,
    log=print,
) -> Report:
    """Fill the configured PostgreSQL database with `scale` rows; return counts and timings."""
    if connection.vendor != "postgresql":
        raise SeedError(
            "seed_bench loads with PostgreSQL COPY; point DATABASE_URL at PostgreSQL "
            f"(this database is {connection.vendor})."
        )
    Agreement = apps.get_model("tracker", "Agreement")
    Article = apps.get_model("news", "Article")
    if not wipe and (Agreement.objects.exists() or Article.objects.exists()):
        raise SeedError("The database already holds agreements or articles: pass --reset.")

    report = Report()
    analysed_tables = []  # besides seed_tables(): what the load derived from them
    started = time.perf_counter()
    rng = random.Random(seed)
    words = WordModel(read_corpus(corpus), rng=random.Random(seed + 1))
    log(f"  word model: {len(words.words):,} words, {len(words.sentences):,} sentences")

    with transaction.atomic():
        if wipe:
            reset(log)
        checks_deferred = _skip_foreign_key_triggers()
        indexes = _drop_secondary_indexes()
        with connection.cursor() as wrapper:
            loader = Loader(wrapper.cursor, report, log)
            _generate(loader, scale=scale, rng=rng, words=words)
            indexed = time.perf_counter()
            wrapper.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for definition in indexes:
                wrapper.execute(definition)
            report.seconds["indexes"] = time.perf_counter() - indexed
            log(f"  {len(indexes)} secondary indexes rebuilt: {report.seconds['indexes']:.1f} s")
            wrapper.execute("\n".join(connection.ops.sequence_reset_sql(no_style(), seed_tables())))
            # Statistics first, so refresh_derived's queries are planned for the loaded rows.
            for model in seed_tables():
                wrapper.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        if "refresh_derived" in get_commands():
            derived = time.perf_counter()
            call_command("refresh_derived", stdout=_Log(log))
            report.seconds["refresh_derived"] = time.perf_counter() - derived
            log(f"  refresh_derived: {report.seconds['refresh_derived']:.1f} s")
        else:
            log("  no refresh_derived command: denormalised fields left as loaded")
        if checks_deferred:
            checked = time.perf_counter()
            _check_foreign_keys()
            report.seconds["foreign key check"] = time.perf_counter() - checked
            log(f"  foreign keys checked in one pass: {report.seconds['foreign key check']:.1f} s")
        if search_index and "rebuild_search_index" in get_commands():
            # COPY sends no signals: the search documents are built from the loaded rows.
            indexed = time.perf_counter()
            call_command("rebuild_search_index", batch_size=5000)
            report.seconds["search index"] = time.perf_counter() - indexed
            analysed_tables.append(apps.get_model("search", "SearchDocument")._meta.db_table)
            log(f"  search index rebuilt: {report.seconds['search index']:.1f} s")
    load_seconds = time.perf_counter() - started

    # Fresh statistics and visibility map, as autovacuum would give a table loaded long ago.
    # (Inside a caller's transaction, as in a test, VACUUM cannot run: ANALYZE instead.)
    analyse_started = time.perf_counter()
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for table in [model._meta.db_table for model in seed_tables()] + analysed_tables:
            cursor.execute(f"{command} {connection.ops.quote_name(table)}")
    report.seconds["vacuum analyze"] = time.perf_counter() - analyse_started
    report.seconds["load"] = load_seconds
    report.seconds["total"] = time.perf_counter() - started
    return report


def _generate(loader: Loader, *, scale: Scale, rng: random.Random, words: WordModel) -> None:
    from apps.news.models import Article, ArticleLink, ArticleURL, Outlet
    from apps.opendata.models import Deletion
    from apps.tracker.models import (
        Actor,
        Agreement,
        Alias,
        ChallengeParty,
        Event,
        LegalChallenge,
        Party,
        Position,
        Statement,
        Topic,
    )

    today = REFERENCE.date()
    first_names, last_names = _FIRST.split(), _LAST.split()
    states = _STATES.split()

    def words_title(n: int) -> str:
        return " ".join(w.capitalize() for w in rng.choices(words.words, k=n))

    # --- topics and outlets ------------------------------------------------------------------
    topic_ids = list(range(1, scale.topics + 1))
    loader.copy(
        Topic,
        ["id", "name", "slug", "description", "created_at", "updated_at"],
        (
            (pk, name := f"{words_title(2)} {pk}", slugify(name, pk), words.paragraph(1), REFERENCE,
             REFERENCE)
            for pk in topic_ids
        ),
    )  # fmt: skip
    outlet_domains = {}
    outlet_rows = []
    for pk in range(1, scale.outlets + 1):
        name = f"The {words_title(2)} {rng.choice(['Times', 'Post', 'Ledger', 'Herald', 'News'])}"
        domain = f"{slugify(name, pk)}.example"
        outlet_domains[pk] = domain
        outlet_rows.append(
            (pk, name, slugify(name, pk), f"https://{domain}/", domain, REFERENCE, REFERENCE)
        )
    loader.copy(
        Outlet,
        ["id", "name", "slug", "homepage", "domain", "created_at", "updated_at"],
        outlet_rows,
    )
    outlet_picker = Picker(list(outlet_domains), 1.0, rng)

    # --- actors ------------------------------------------------------------------------------
    n = scale.actors
    n_courts = max(5, n // 500)
    n_departments = max(5, n // 1000)
    n_agencies = max(10, n // 50)
    n_committees = max(3, n // 500)
    n_orgs = int(n * 0.3)
    bounds = list(itertools.accumulate([n_courts, n_departments, n_agencies, n_committees, n_orgs]))
    courts = list(range(1, bounds[0] + 1))
    departments = list(range(bounds[0] + 1, bounds[1] + 1))
    agencies = list(range(bounds[1] + 1, bounds[2] + 1))
    committees = list(range(bounds[2] + 1, bounds[3] + 1))
    orgs = list(range(bounds[3] + 1, bounds[4] + 1))
    persons = list(range(bounds[4] + 1, n + 1))

    def actor_rows():
        for pk in range(1, n + 1):
            parent = None
            if pk <= bounds[0]:
                kind, name = "court", f"U.S. District Court for the District of {states[pk % 22]}"
                name += f" ({pk})" if pk > 22 else ""
            elif pk <= bounds[1]:
                kind, name = "department", f"Department of {words_title(2)}"
            elif pk <= bounds[2]:
                kind = "agency"
                name = f"{rng.choice(_AGENCY_PREFIX)} {words_title(rng.randint(1, 3))}"
                parent = rng.choice(departments) if rng.random() < 0.6 else None
            elif pk <= bounds[3]:
                kind, name = "committee", f"Committee on {words_title(2)}"
            elif pk <= bounds[4]:
                kind = "organization"
                name = f"{words_title(rng.randint(1, 2))} {rng.choice(_ORG_SUFFIX)}"
            else:
                kind = "person"
                name = f"{rng.choice(first_names)} {rng.choice(last_names)}"
            qid = f"Q{pk * 7 + 11}" if rng.random() < 0.3 else ""
            website = f"https://{slugify(name, pk)}.example/" if kind != "person" else ""
            yield (
                pk,
                REFERENCE,
                REFERENCE,
                kind,
                name,
                slugify(name, pk),
                words.paragraph(1),
                parent,
                qid,
                website,
            )

    loader.copy(
        Actor,
        [
            "id",
            "created_at",
            "updated_at",
            "kind",
            "name",
            "slug",
            "description",
            "parent_id",
            "wikidata_qid",
            "website",
        ],
        actor_rows(),
    )
    institution_picker = Picker(departments + agencies, 1.0, rng)
    stakeholder_picker = Picker(orgs + persons + committees, 1.0, rng)
    person_picker = Picker(persons, 1.0, rng)
    any_actor_picker = Picker(list(range(1, n + 1)), 1.0, rng)

    # --- agreements --------------------------------------------------------------------------
    # One prominence order for everything: the agreement with most events also has the most
    # statements, links and lawsuits, as the IRS–ICE MOU would.
    agreement_ids = list(range(1, scale.agreements + 1))
    prominence = list(agreement_ids)
    rng.shuffle(prominence)
    announced = {}

    def agreement_rows():
        for pk in agreement_ids:
            day = _day(rng, EPOCH, today)
            announced[pk] = day
            status = rng.choice(_STATUSES)
            signed = day + dt.timedelta(days=rng.randint(0, 120)) if status != "proposed" else None
            effective = signed + dt.timedelta(days=rng.randint(0, 200)) if signed else None
            expires = (
                effective + dt.timedelta(days=rng.randint(365, 5 * 365))
                if effective and rng.random() < 0.3
                else None
            )
            instrument = rng.choice(_INSTRUMENTS)
            title = f"{words.title(7)} {instrument}"
            yield (
                pk,
                REFERENCE,
                REFERENCE,
                title,
                slugify(title, pk),
                rng.choice([c for c, _ in Agreement.Kind.choices]),
                status,
                words.paragraph(rng.randint(2, 4)),
                day,
                signed,
                effective,
                expires,
            )

    loader.copy(
        Agreement,
        [
            "id",
            "created_at",
            "updated_at",
            "title",
            "slug",
            "kind",
            "status",
            "summary",
            "announced_on",
            "signed_on",
            "effective_on",
            "expires_on",
        ],
        agreement_rows(),
    )
    ids = itertools.count(1)
    topic_picker = Picker(topic_ids, 1.0, rng)
    loader.copy(
        Agreement.topics.through,
        _m2m_columns(Agreement.topics.through),
        (
            (next(ids), pk, topic)
            for pk in agreement_ids
            for topic in topic_picker.distinct(rng.randint(1, 3))
        ),
    )

    def party_rows():
        pk = itertools.count(1)
        for agreement in agreement_ids:
            for sequence, actor in enumerate(institution_picker.distinct(rng.randint(2, 4))):
                signer = person_picker.one() if rng.random() < 0.5 else None
                signed_on = announced[agreement] if signer else None
                yield (
                    next(pk),
                    REFERENCE,
                    REFERENCE,
                    agreement,
                    actor,
                    rng.choice(["signatory", "requesting", "providing", "oversight"]),
                    signer,
                    signed_on,
                    sequence,
                )

    loader.copy(
        Party,
        [
            "id",
            "created_at",
            "updated_at",
            "agreement_id",
            "actor_id",
            "role",
            "signed_by_id",
            "signed_on",
            "sequence",
        ],
        party_rows(),
    )

    # --- positions and statements ------------------------------------------------------------
    statements_per = dict(
        zip(prominence, allocate(scale.statements, zipf_weights(len(prominence), 1.1)), strict=True)
    )
    positions_of: dict[int, list[tuple[int, int]]] = {}

    def position_rows():
        pk = itertools.count(1)
        for agreement in agreement_ids:
            wanted = statements_per[agreement]
            count = max(rng.randint(0, 2), math.ceil(wanted**0.6) if wanted else 0)
            mine = []
            for actor in stakeholder_picker.distinct(count):
                position = next(pk)
                mine.append((position, actor))
                yield (
                    position,
                    REFERENCE,
                    REFERENCE,
                    actor,
                    agreement,
                    rng.choice(["supports", "opposes", "opposes", "concerned", "neutral"]),
                    words.paragraph(1),
                )
            positions_of[agreement] = mine

    loader.copy(
        Position,
        ["id", "created_at", "updated_at", "actor_id", "agreement_id", "stance", "summary"],
        position_rows(),
    )

    def statement_rows():
        pk = itertools.count(1)
        for agreement in agreement_ids:
            mine = positions_of[agreement]
            if not mine:
                continue
            for sequence in range(statements_per[agreement]):
                position, actor = rng.choice(mine)
                speaker = actor if rng.random() < 0.7 else person_picker.one()
                said = _day(rng, announced[agreement], today)
                precision = rng.choice(_PRECISIONS)
                yield (
                    next(pk),
                    REFERENCE,
                    REFERENCE,
                    position,
                    speaker,
                    "" if speaker != actor or rng.random() < 0.9 else "a spokesperson",
                    "quote" if rng.random() < 0.7 else "paraphrase",
                    words.paragraph(rng.randint(1, 3)),
                    _truncate(said, precision),
                    precision,
                    rng.choice(_VENUES),
                    rng.randint(1, scale.articles) if rng.random() < 0.8 else None,
                    f"https://example.org/statements/{sequence}" if rng.random() < 0.1 else "",
                    sequence % 30_000,
                )

    loader.copy(
        Statement,
        [
            "id",
            "created_at",
            "updated_at",
            "position_id",
            "speaker_id",
            "speaker_label",
            "kind",
            "text",
            "said_on",
            "said_on_precision",
            "venue",
            "source_id",
            "source_url",
            "sequence",
        ],
        statement_rows(),
    )

    # --- legal challenges --------------------------------------------------------------------
    challenge_ids = list(range(1, scale.challenges + 1))
    agreement_picker = Picker(prominence, 0.8, rng, shuffle=False)
    challenged: dict[int, list[int]] = {}

    def challenge_rows():
        for pk in challenge_ids:
            targets = agreement_picker.distinct(1 if rng.random() < 0.8 else 2)
            challenged[pk] = targets
            filed = _day(rng, announced[targets[0]], today)
            caption = f"{words_title(2)} {rng.choice(_ORG_SUFFIX)} v. {rng.choice(last_names)}"
            court = rng.choice(courts)
            yield (
                pk,
                REFERENCE,
                REFERENCE,
                caption,
                slugify(caption, pk),
                court,
                f"1:{filed.year % 100:02d}-cv-{pk:05d}",
                filed,
                rng.choice([c for c, _ in LegalChallenge.Status.choices]),
                words.paragraph(2),
            )

    loader.copy(
        LegalChallenge,
        [
            "id",
            "created_at",
            "updated_at",
            "caption",
            "slug",
            "court_id",
            "docket_number",
            "filed_on",
            "status",
            "summary",
        ],
        challenge_rows(),
    )
    ids = itertools.count(1)
    loader.copy(
        LegalChallenge.agreements.through,
        _m2m_columns(LegalChallenge.agreements.through),
        ((next(ids), pk, agreement) for pk in challenge_ids for agreement in challenged[pk]),
    )

    represented = []  # (counsel row, party it represents), filled as the rows are made

    def challenge_party_rows():
        pk = itertools.count(1)
        for challenge in challenge_ids:
            plaintiffs = stakeholder_picker.distinct(rng.randint(1, 4))
            defendants = institution_picker.distinct(rng.randint(1, 2))
            for sequence, actor in enumerate(plaintiffs):
                yield (next(pk), REFERENCE, REFERENCE, challenge, actor, "plaintiff", sequence)
            for sequence, actor in enumerate(defendants):
                yield (next(pk), REFERENCE, REFERENCE, challenge, actor, "defendant", sequence)
            counsel = [p for p in person_picker.distinct(2) if p not in plaintiffs]
            for sequence, actor in enumerate(counsel[:1]):
                row = next(pk)
                represented.append((row, plaintiffs[0]))
                yield (row, REFERENCE, REFERENCE, challenge, actor, "counsel", sequence)

    loader.copy(
        ChallengeParty,
        ["id", "created_at", "updated_at", "challenge_id", "actor_id", "role", "sequence"],
        challenge_party_rows(),
    )
    ids = itertools.count(1)
    loader.copy(
        ChallengeParty.represents.through,
        _m2m_columns(ChallengeParty.represents.through),
        ((next(ids), row, actor) for row, actor in represented),
    )

    # --- events ------------------------------------------------------------------------------
    n_challenge_events = scale.events // 10
    agreement_events = dict(
        zip(
            prominence,
            allocate(
                scale.events - n_challenge_events, zipf_weights(len(prominence), 0.9), minimum=2
            ),
            strict=True,
        )
    )
    challenge_order = list(challenge_ids)
    rng.shuffle(challenge_order)
    challenge_events = dict(
        zip(
            challenge_order,
            allocate(n_challenge_events, zipf_weights(len(challenge_order), 1.0), minimum=1),
            strict=True,
        )
    )
    event_kinds = [c for c, _ in Event.Kind.choices]
    event_count = 0

    def event_rows():
        nonlocal event_count
        pk = itertools.count(1)
        owners = [(("agreement", a), agreement_events[a], announced[a]) for a in agreement_ids]
        owners += [
            (("challenge", c), challenge_events[c], announced[challenged[c][0]])
            for c in challenge_ids
        ]
        for (kind, owner), count, start in owners:
            for sequence in range(count):
                precision = rng.choice(_PRECISIONS)
                day = _truncate(_day(rng, start, today), precision)
                event_count += 1
                yield (
                    next(pk),
                    REFERENCE,
                    REFERENCE,
                    day,
                    precision,
                    rng.choice(event_kinds),
                    words.title(12),
                    words.paragraph(rng.randint(1, 2)),
                    owner if kind == "agreement" else None,
                    owner if kind == "challenge" else None,
                    sequence % 30_000,
                )

    loader.copy(
        Event,
        [
            "id",
            "created_at",
            "updated_at",
            "date",
            "date_precision",
            "kind",
            "title",
            "description",
            "agreement_id",
            "challenge_id",
            "sequence",
        ],
        event_rows(),
    )

    def event_m2m_rows(choices, draw):
        pk = itertools.count(1)
        for event in range(1, event_count + 1):
            for target in set(draw(rng.choice(choices))):
                yield (next(pk), event, target)

    loader.copy(
        Event.sources.through,
        _m2m_columns(Event.sources.through),
        event_m2m_rows([0, 1, 1, 2], lambda k: [rng.randint(1, scale.articles) for _ in range(k)]),
    )
    loader.copy(
        Event.actors.through,
        _m2m_columns(Event.actors.through),
        event_m2m_rows([0, 0, 0, 1, 2], any_actor_picker.many),
    )

    # --- aliases -----------------------------------------------------------------------------
    def alias_rows():
        pk = itertools.count(1)
        for agreement in agreement_ids:
            yield (next(pk), REFERENCE, REFERENCE, f"{words_title(2)} deal {agreement}", False,
                   None, agreement, None)  # fmt: skip
        for actor in range(1, n + 1, 5):
            yield (next(pk), REFERENCE, REFERENCE, f"A{actor}X", True, actor, None, None)

    loader.copy(
        Alias,
        [
            "id",
            "created_at",
            "updated_at",
            "text",
            "case_sensitive",
            "actor_id",
            "agreement_id",
            "challenge_id",
        ],
        alias_rows(),
    )

    # --- articles ----------------------------------------------------------------------------
    span = (REFERENCE - dt.datetime(2015, 1, 1, tzinfo=dt.UTC)).total_seconds()
    start_of_news = REFERENCE - dt.timedelta(seconds=span)

    def article_rows():
        for pk in range(1, scale.articles + 1):
            outlet = outlet_picker.one()
            # Ids follow ingestion order, publication dates roughly follow ids.
            published = start_of_news + dt.timedelta(
                seconds=span * pk / scale.articles + rng.uniform(-3 * 86_400, 0)
            )
            title = words.title(14)
            status = rng.choices(["fetched", "failed", "pending"], weights=[97, 2, 1])[0]
            fetched = status == "fetched"
            text = words.text(rng.randint(3, 7), rng.randint(2, 4)) if fetched else ""
            url = f"https://{outlet_domains[outlet]}/{published:%Y/%m}/{slugify(title, pk)}"
            yield (
                pk,
                url,
                url,
                outlet,
                title if fetched else "",
                f"By {rng.choice(first_names)} {rng.choice(last_names)}" if fetched else "",
                published if fetched and rng.random() > 0.01 else None,
                "en" if fetched else "",
                words.paragraph(1) if fetched else "",
                text,
                "[]",
                pk - rng.randint(1, 50) if pk > 100 and rng.random() < 0.02 else None,
                status,
                "HTTP 404" if status == "failed" else "",
                published if status != "pending" else None,
                published,
                published,
            )

    loader.copy(
        Article,
        [
            "id",
            "canonical_url",
            "url",
            "outlet_id",
            "title",
            "byline",
            "published_at",
            "language",
            "summary",
            "text",
            "text_fingerprint",
            "near_duplicate_of_id",
            "fetch_status",
            "fetch_error",
            "fetched_at",
            "created_at",
            "updated_at",
        ],
        article_rows(),
    )
    loader.copy(
        ArticleURL,
        ["id", "article_id", "url", "first_seen_at"],
        (
            (pk, pk, f"https://feeds.example/r/{pk}?utm_source=rss", REFERENCE)
            for pk in range(1, scale.articles + 1)
        ),
    )

    # --- article links -----------------------------------------------------------------------
    n_agreement_links = scale.links // 2
    n_actor_links = scale.links * 2 // 5
    n_challenge_links = scale.links - n_agreement_links - n_actor_links
    link_agreements = Picker(prominence, 1.0, rng, shuffle=False)
    challenge_picker = Picker(challenge_ids, 1.0, rng)

    def link_rows():
        pk = itertools.count(1)
        seen = set()
        for slot, count, picker in (
            (0, n_agreement_links, link_agreements),
            (1, n_actor_links, any_actor_picker),
            (2, n_challenge_links, challenge_picker),
        ):
            made = 0
            while made < count:
                for target in picker.many(min(10_000, count - made)):
                    article = rng.randint(1, scale.articles)
                    key = (slot, target, article)
                    if key in seen:
                        continue
                    seen.add(key)
                    made += 1
                    targets = [None, None, None]
                    targets[slot] = target
                    status = rng.choices(["confirmed", "suggested", "rejected"], weights=[6, 3, 1])[
                        0
                    ]
                    created = start_of_news + dt.timedelta(seconds=span * article / scale.articles)
                    yield (
                        next(pk),
                        article,
                        *targets,
                        status,
                        json.dumps([f"term {target}"]),
                        rng.choice(words.sentences),
                        round(rng.uniform(0.3, 1.0), 3),
                        None,
                        created if status != "suggested" else None,
                        created,
                        created,
                    )

    loader.copy(
        ArticleLink,
        [
            "id",
            "article_id",
            "agreement_id",
            "actor_id",
            "challenge_id",
            "status",
            "matched_terms",
            "snippet",
            "score",
            "decided_by_id",
            "decided_at",
            "created_at",
            "updated_at",
        ],
        link_rows(),
    )

    # Tombstones for the changes feed: a tenth as many records as there are events, deleted
    # over the year before REFERENCE (ids beyond the live ones: they no longer exist).
    slugged = {"agreements", "actors", "challenges", "topics", "outlets"}
    resources = Deletion.Resource.values

    def deletion_rows():
        for pk in range(1, scale.events // 10 + 1):
            resource = rng.choice(resources)
            deleted = REFERENCE - dt.timedelta(seconds=rng.randrange(365 * 86400))
            slug = f"deleted-{resource}-{pk}" if resource in slugged else ""
            yield (pk, resource, 10**12 + pk, slug, deleted)

    loader.copy(Deletion, ["id", "resource", "record_id", "slug", "deleted_at"], deletion_rows())
