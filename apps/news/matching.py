"""Which tracked actors, agreements and legal challenges an article is about, by their names.

Every name a record goes by is a *term*: an actor's name, an agreement's title, a legal
challenge's caption and docket number, and every Alias row of each. All terms sit in one
Aho–Corasick automaton, so scanning an article takes one pass over its text whether there are
ten terms or ten thousand (`benchmarks/bench_matching.py` measures it).

How a term matches:
- Text and terms are compared as sequences of words (runs of letters and digits). What stands
  between two words does not matter, so "IRS–ICE MOU" (en dash), "IRS-ICE MOU" and
  "IRS/ICE MOU" are the same term, typographic quotes and dashes need no special case, and
  a line break inside "Immigration and\\nCustoms Enforcement" still matches.
- Whole words only: "IRS" is not found in "HEIRS", nor "ICE" in "ICEland"; it is found in
  "IRS's" and "IRS-ICE".
- A case-sensitive alias matches only its exact capitalisation ("ICE" and not an "ice storm" or
  a sentence that starts "Ice"). Any other alias matches in any case. An actor's own name is a
  proper noun and matches case-sensitively ("a public citizen" is not Public Citizen); an
  agreement's title or a challenge's caption is case-sensitive when it has no lower-case letter
  (an acronym), and case-insensitive otherwise.

THE RULE for suggesting a link from an article (title and text) to a record:
1. An actor is suggested when one of its terms matches.
2. A legal challenge is suggested when one of its terms (caption, docket number, aliases)
   matches.
3. An agreement is suggested when one of its terms (title, aliases) matches, OR when two
   distinct actors that are parties to it (Party rows) and an instrument word ("agreement",
   "memorandum", "MOU", "MOA", "deal", "pact", "accord", "arrangement", "data-sharing",
   "information-sharing"; see `INSTRUMENT_WORDS`) all occur within two consecutive sentences
   of one paragraph. Paragraphs are the lines of the text, and the title is a paragraph of its
   own; a sentence ends at ".", "!" or "?" followed by a space and a capital letter or digit,
   except after a single letter, a dotted abbreviation ("U.S.") or a title such as "Rep." or
   "No." (see `_ABBREVIATIONS`). So "a deal between the IRS and ICE" suggests the IRS–ICE
   agreement, and so does "The IRS could turn over tax information on the people ICE is
   probing. The secretaries signed the agreement."; an article that names the IRS in one
   paragraph and ICE in another, or both several sentences away from any word for an
   agreement, does not.

Score: each match counts 3 in the title and 1 in the text; matches that only support an
agreement through rule 3 (its parties' names and the instrument word) count half. Suggestions
come highest score first.

`matched_terms` are the matched words as they stand in the article (whitespace collapsed), in
order of appearance, title first; for rule 3 they are the parties' names and the instrument word.
The admin can highlight them in the snippet by plain substring search. `Match.term` is the term
as it is stored on the record. The snippet is about 200 characters of plain text around the
first match in the text (in the title when the text has none).
"""

import re
import threading
import time
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick
from django.conf import settings
from django.db.models import BigIntegerField, BooleanField, Count, F, Max, Value

from apps.tracker.models import Actor, Agreement, Alias, LegalChallenge, Party

ACTOR = "actor"
AGREEMENT = "agreement"
CHALLENGE = "challenge"
_INSTRUMENT = "instrument"
TARGET_KINDS = (ACTOR, AGREEMENT, CHALLENGE)

# Words for an instrument, as (text, case_sensitive). Hyphenated words match with or without
# the hyphen, because terms are compared word by word.
INSTRUMENT_WORDS = (
    ("agreement", False),
    ("agreements", False),
    ("memorandum", False),
    ("memoranda", False),
    ("MOU", True),
    ("MOUs", True),
    ("MOA", True),
    ("deal", False),
    ("deals", False),
    ("pact", False),
    ("accord", False),
    ("arrangement", False),
    ("data-sharing", False),
    ("information-sharing", False),
)

TITLE_WEIGHT = 3.0
TEXT_WEIGHT = 1.0
PARTY_RULE_FACTOR = 0.5
SNIPPET_CHARS = 200
_SNIPPET_LEAD = 80

# A word, keeping combining accents attached to their letter.
_WORD = re.compile(r"\w[\w\u0300-\u036f]*")
_PARAGRAPH = re.compile(r"[^\n]+")
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
# Words after which a full stop does not end a sentence ("Rep. Jimmy Gomez", "No. 25-cv-0677").
_ABBREVIATIONS = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "rep",
        "reps",
        "sen",
        "sens",
        "gov",
        "lt",
        "col",
        "gen",
        "sgt",
        "capt",
        "cmdr",
        "adm",
        "st",
        "jr",
        "sr",
        "inc",
        "corp",
        "co",
        "ltd",
        "llc",
        "no",
        "nos",
        "vs",
        "v",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "ft",
        "mt",
        "pres",
        "sec",
        "dept",
        "atty",
        "asst",
        "ave",
        "blvd",
        "approx",
        "est",
        "fig",
        "rev",
        "hon",
    }
)


@dataclass(frozen=True)
class Match:
    target_kind: str
    target_id: int
    term: str
    start: int
    end: int


# Why a record was suggested: one of its own terms matched (rules 1-3's first half), or only
# two of its parties and an instrument word did (rule 3's second half).
BY_TERM = "term"
BY_PARTIES = "parties"


@dataclass(frozen=True)
class LinkSuggestion:
    target_kind: str
    target_id: int
    matched_terms: list[str]
    snippet: str
    score: float
    rule: str = BY_TERM


@dataclass(frozen=True)
class _Term:
    target_kind: str
    target_id: int
    text: str
    words: tuple[str, ...]
    case_sensitive: bool


@dataclass(frozen=True)
class _Hit:
    term: _Term
    start: int
    end: int


class AliasMatcher:
    """All terms of the tracked records in one automaton, plus who is party to what."""

    def __init__(
        self,
        terms: Iterable[_Term],
        *,
        parties: Iterable[tuple[int, int]] = (),
        stamp: tuple = (),
    ):
        self.stamp = stamp
        self.term_count = 0
        entries: dict[str, list[_Term]] = defaultdict(list)
        seen = set()
        instruments = (
            _make_term(_INSTRUMENT, 0, text, case_sensitive)
            for text, case_sensitive in INSTRUMENT_WORDS
        )
        for term in (*terms, *instruments):
            if term is None or term in seen:
                continue
            seen.add(term)
            entries[_key(term.words)].append(term)
            self.term_count += term.target_kind != _INSTRUMENT
        self._automaton = ahocorasick.Automaton()
        for key, key_terms in entries.items():
            self._automaton.add_word(key, (len(key), len(key_terms[0].words), tuple(key_terms)))
        self._automaton.make_automaton()
        grouped: dict[int, set[int]] = defaultdict(set)
        agreements_by_actor: dict[int, set[int]] = defaultdict(set)
        for agreement_id, actor_id in parties:
            grouped[agreement_id].add(actor_id)
            agreements_by_actor[actor_id].add(agreement_id)
        self.parties_by_agreement = {key: frozenset(value) for key, value in grouped.items()}
        self._agreements_by_actor = dict(agreements_by_actor)

    @classmethod
    def from_aliases(
        cls,
        aliases: Iterable[tuple[str, int, str, bool]],
        *,
        parties: Iterable[tuple[int, int]] = (),
    ) -> "AliasMatcher":
        """A matcher from plain (target_kind, target_id, text, case_sensitive) tuples and
        (agreement_id, actor_id) party pairs: no database needed."""
        terms = []
        for target_kind, target_id, text, case_sensitive in aliases:
            if target_kind not in TARGET_KINDS:
                raise ValueError(f"Unknown target kind {target_kind!r}.")
            terms.append(_make_term(target_kind, target_id, text, case_sensitive))
        return cls(terms, parties=parties)

    def match(self, text: str) -> list[Match]:
        """Every match of a record's term in `text`, in order of position."""
        found = {}
        for hit in self._scan(text):
            term = hit.term
            if term.target_kind == _INSTRUMENT:
                continue
            found.setdefault(
                (term.target_kind, term.target_id, hit.start, hit.end),
                Match(term.target_kind, term.target_id, term.text, hit.start, hit.end),
            )
        return sorted(found.values(), key=lambda m: (m.start, m.end, m.target_kind, m.target_id))

    def _scan(self, text: str) -> list[_Hit]:
        # Tokenising the case-folded text in one C-level pass is most of the speed; the original
        # words (for offsets and exact-case checks) are only read once something matched.
        # Case folding, not lower(): lower() writes a Greek capital sigma as final or not by
        # what follows, so "ΣΥΡΙΖΑΣ's" would not meet the key made from "ΣΥΡΙΖΑΣ" alone.
        lowered = _WORD.findall(text.casefold())
        if not lowered:
            return []
        haystack = " " + " ".join(lowered) + " "
        found = list(self._automaton.iter(haystack))
        if not found:
            return []
        words = list(_WORD.finditer(text))
        if len(words) != len(lowered):
            # Case folding changed how some word splits (rare Unicode): fold word by word.
            lowered = [word.group().casefold() for word in words]
            haystack = " " + " ".join(lowered) + " "
            found = list(self._automaton.iter(haystack))
        hits = []
        for end, (key_length, word_count, terms) in found:
            # The key starts with the space before its first word: count the spaces up to it.
            first = haystack.count(" ", 0, end - key_length + 2) - 1
            last = first + word_count - 1
            for term in terms:
                if term.case_sensitive and term.words != tuple(
                    word.group() for word in words[first : last + 1]
                ):
                    continue
                hits.append(_Hit(term, words[first].start(), words[last].end()))
        return hits

    def agreements_with_parties(self, actor_ids: set[int]) -> set[int]:
        """Agreements at least two of whose distinct party actors are in `actor_ids`."""
        counts: dict[int, int] = defaultdict(int)
        for actor_id in actor_ids:
            for agreement_id in self._agreements_by_actor.get(actor_id, ()):
                counts[agreement_id] += 1
        return {agreement_id for agreement_id, count in counts.items() if count >= 2}


def _key(words: tuple[str, ...]) -> str:
    return " " + " ".join(word.casefold() for word in words) + " "


def _make_term(target_kind: str, target_id: int, text: str, case_sensitive: bool) -> _Term | None:
    words = tuple(word.group() for word in _WORD.finditer(text or ""))
    if not words:
        return None
    return _Term(target_kind, target_id, text, words, case_sensitive)


def _looks_like_acronym(name: str) -> bool:
    return any(char.isalpha() for char in name) and not any(char.islower() for char in name)


# --- Building from the database ---------------------------------------------------------------

_STAMPED_MODELS = (Alias, Actor, Agreement, LegalChallenge, Party)


def _current_stamp() -> tuple:
    """Row count and latest change of every table the matcher is built from, in one query.

    A new or edited row moves its table's latest `updated_at`; a deleted one lowers the count.
    """
    branches = [
        model.objects.order_by()
        .annotate(table=Value(model._meta.label))
        .values("table")
        .annotate(rows=Count("pk"), latest=Max("updated_at"))
        .values_list("table", "rows", "latest")
        for model in _STAMPED_MODELS
    ]
    return tuple(sorted(branches[0].union(*branches[1:], all=True), key=lambda row: row[0]))


def _term_rows():
    """(actor_id, agreement_id, challenge_id, text, case_sensitive) of every term, one query.

    `case_sensitive` is NULL for an agreement's title or a challenge's caption: that is decided
    from its capitalisation.
    """
    no_id = Value(None, output_field=BigIntegerField())
    undecided = Value(None, output_field=BooleanField())
    columns = ("actor_ref", "agreement_ref", "challenge_ref", "term", "exact")
    aliases = Alias.objects.annotate(
        actor_ref=F("actor_id"),
        agreement_ref=F("agreement_id"),
        challenge_ref=F("challenge_id"),
        term=F("text"),
        exact=F("case_sensitive"),
    )
    # An actor's name is a proper noun, written with its capitals in news copy: matched
    # case-sensitively, so "a public citizen" is not Public Citizen. Aliases say for themselves.
    actors = Actor.objects.annotate(
        actor_ref=F("pk"),
        agreement_ref=no_id,
        challenge_ref=no_id,
        term=F("name"),
        exact=Value(True),
    )
    agreements = Agreement.objects.annotate(
        actor_ref=no_id,
        agreement_ref=F("pk"),
        challenge_ref=no_id,
        term=F("title"),
        exact=undecided,
    )
    captions = LegalChallenge.objects.annotate(
        actor_ref=no_id,
        agreement_ref=no_id,
        challenge_ref=F("pk"),
        term=F("caption"),
        exact=undecided,
    )
    dockets = (
        LegalChallenge.objects.exclude(docket_number="")
        .annotate(
            actor_ref=no_id,
            agreement_ref=no_id,
            challenge_ref=F("pk"),
            term=F("docket_number"),
            exact=Value(False),
        )
        .order_by()
    )
    branches = [qs.order_by().values_list(*columns) for qs in (aliases, actors, agreements)]
    branches += [captions.order_by().values_list(*columns), dockets.values_list(*columns)]
    return branches[0].union(*branches[1:], all=True)


def _build(stamp: tuple) -> AliasMatcher:
    terms = []
    for actor_id, agreement_id, challenge_id, text, exact in _term_rows():
        if actor_id is not None:
            kind, target_id = ACTOR, actor_id
        elif agreement_id is not None:
            kind, target_id = AGREEMENT, agreement_id
        else:
            kind, target_id = CHALLENGE, challenge_id
        case_sensitive = _looks_like_acronym(text) if exact is None else bool(exact)
        terms.append(_make_term(kind, target_id, text, case_sensitive))
    parties = Party.objects.order_by().values_list("agreement_id", "actor_id").distinct()
    return AliasMatcher(terms, parties=list(parties), stamp=stamp)


def build_matcher() -> AliasMatcher:
    """A matcher over every record's terms: three queries, whatever the number of aliases."""
    return _build(_current_stamp())


_cache_lock = threading.Lock()
_cached: AliasMatcher | None = None
_checked_at = float("-inf")  # time.monotonic() of the last stamp check


def get_matcher() -> AliasMatcher:
    """The process's matcher, rebuilt when a term, record or party changed since it was built.

    Checking costs one aggregate query over the records' tables (a count and a latest change
    each), so a worker checks at most every MATCHER_RECHECK_SECONDS: a curator's new alias is
    used for the articles ingested from a few seconds later. Rebuilding costs three queries.
    """
    global _cached, _checked_at
    matcher = _cached
    now = time.monotonic()
    if matcher is not None and now - _checked_at < settings.MATCHER_RECHECK_SECONDS:
        return matcher
    stamp = _current_stamp()
    _checked_at = now
    if matcher is not None and matcher.stamp == stamp:
        return matcher
    with _cache_lock:
        if _cached is None or _cached.stamp != stamp:
            _cached = _build(stamp)
        return _cached


def forget_matcher() -> None:
    """Drop the cached matcher (tests that roll the database back to an identical stamp)."""
    global _cached, _checked_at
    with _cache_lock:
        _cached = None
        _checked_at = float("-inf")


# --- Suggestions ------------------------------------------------------------------------------


def suggest_links(
    *, title: str, text: str, matcher: AliasMatcher | None = None
) -> list[LinkSuggestion]:
    """The records an article is about, by THE RULE in this module's docstring."""
    matcher = matcher or get_matcher()
    fields = {"title": title or "", "text": text or ""}
    hits = {name: matcher._scan(value) for name, value in fields.items()}
    evidence: dict[tuple[str, int], dict[tuple[str, int, int], float]] = defaultdict(dict)
    by_term: set[tuple[str, int]] = set()

    for name, field_hits in hits.items():
        weight = TITLE_WEIGHT if name == "title" else TEXT_WEIGHT
        for hit in field_hits:
            term = hit.term
            if term.target_kind != _INSTRUMENT:
                evidence[(term.target_kind, term.target_id)][(name, hit.start, hit.end)] = weight
                by_term.add((term.target_kind, term.target_id))

    matched_actors = {
        hit.term.target_id
        for field_hits in hits.values()
        for hit in field_hits
        if hit.term.target_kind == ACTOR
    }
    for agreement_id in matcher.agreements_with_parties(matched_actors):
        parties = matcher.parties_by_agreement[agreement_id]
        for name, field_hits in hits.items():
            weight = (TITLE_WEIGHT if name == "title" else TEXT_WEIGHT) * PARTY_RULE_FACTOR
            for hit in _party_rule_hits(fields[name], field_hits, parties):
                evidence[(AGREEMENT, agreement_id)].setdefault((name, hit.start, hit.end), weight)

    suggestions = []
    # Every entry of `evidence` was made by adding a span to it, so none is empty.
    for (kind, target_id), spans in evidence.items():
        ordered = sorted(spans, key=lambda span: (span[0] != "title", span[1], span[2]))
        surface = []
        for name, start, end in ordered:
            word = " ".join(fields[name][start:end].split())
            if word not in surface:
                surface.append(word)
        in_text = [span for span in ordered if span[0] == "text"]
        name, start, end = in_text[0] if in_text else ordered[0]
        suggestions.append(
            LinkSuggestion(
                target_kind=kind,
                target_id=target_id,
                matched_terms=surface,
                snippet=_snippet(fields[name], start, end),
                score=sum(spans.values()),
                rule=BY_TERM if (kind, target_id) in by_term else BY_PARTIES,
            )
        )
    kind_order = {AGREEMENT: 0, CHALLENGE: 1, ACTOR: 2}
    suggestions.sort(key=lambda s: (-s.score, kind_order[s.target_kind], s.target_id))
    return suggestions


def _party_rule_hits(text: str, field_hits: list[_Hit], parties: frozenset[int]) -> list[_Hit]:
    """The party and instrument hits that lie in a window satisfying rule 3 in `text`."""
    relevant = [
        hit
        for hit in field_hits
        if hit.term.target_kind == _INSTRUMENT
        or (hit.term.target_kind == ACTOR and hit.term.target_id in parties)
    ]
    if not any(hit.term.target_kind == _INSTRUMENT for hit in relevant):
        return []
    sentence_starts, paragraph_of = _sentences(text)
    by_sentence: dict[int, list[_Hit]] = defaultdict(list)
    for hit in relevant:
        by_sentence[bisect_right(sentence_starts, hit.start) - 1].append(hit)
    supporting: dict[tuple[int, int, int], _Hit] = {}
    for sentence in sorted(by_sentence):
        window = list(by_sentence[sentence])
        following = sentence + 1
        if following < len(paragraph_of) and paragraph_of[following] == paragraph_of[sentence]:
            window += by_sentence.get(following, [])
        actors = {hit.term.target_id for hit in window if hit.term.target_kind == ACTOR}
        if len(actors) >= 2 and any(hit.term.target_kind == _INSTRUMENT for hit in window):
            for hit in window:
                supporting[(hit.start, hit.end, id(hit.term))] = hit
    return list(supporting.values())


def _sentences(text: str) -> tuple[list[int], list[int]]:
    """Start offset of every sentence in `text`, and the paragraph (line) each belongs to."""
    starts: list[int] = []
    paragraph_of: list[int] = []
    for paragraph, line in enumerate(_PARAGRAPH.finditer(text)):
        starts.append(line.start())
        paragraph_of.append(paragraph)
        for end in _SENTENCE_END.finditer(text, line.start(), line.end()):
            if end.group().startswith(".") and _is_abbreviation(text, line.start(), end.start()):
                continue
            starts.append(end.end())
            paragraph_of.append(paragraph)
    return starts, paragraph_of


def _is_abbreviation(text: str, line_start: int, stop: int) -> bool:
    # The last word before the stop, within its line (a line's first word has no space before it).
    token = text[line_start:stop].rpartition(" ")[2].lstrip("\"'“‘([")
    return len(token) == 1 or "." in token or token.lower() in _ABBREVIATIONS


def _snippet(text: str, start: int, end: int) -> str:
    """About SNIPPET_CHARS of plain text around text[start:end], cut at word boundaries."""
    begin = max(0, start - _SNIPPET_LEAD)
    finish = max(end, begin + SNIPPET_CHARS)
    if begin > 0:
        space = text.find(" ", begin, start)
        begin = space + 1 if space != -1 else begin
    if finish < len(text):
        space = text.rfind(" ", end, finish)
        finish = space if space != -1 else finish
    body = " ".join(text[begin:finish].split())
    return ("…" if begin > 0 else "") + body + ("…" if finish < len(text) else "")
