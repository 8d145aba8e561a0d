"""The search box's syntax, read once: words, "quoted phrases", OR between alternatives, -word.

It mirrors PostgreSQL's websearch_to_tsquery (OR binds loosest: `a b or c -d` is `(a AND b) OR
(c AND NOT d)`), so the SQLite fallback understands the same queries, and it decides which
queries are refused before any database sees them: too long, nothing to look for, or an
alternative made only of exclusions (which would match, and scan, nearly everything).
"""

import re
from dataclasses import dataclass, field

MAX_QUERY_LENGTH = 500
MAX_TERMS = 32

# A word is a run of letters and digits; an apostrophe or hyphen inside one keeps it whole for
# display but the databases' own parsers split it the same way on both sides.
WORD = re.compile(r"\w+", re.UNICODE)
TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class QueryError(ValueError):
    """A query we refuse, with a sentence saying why."""


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # one word, or the words of a phrase in order
    negated: bool = False


@dataclass
class Alternative:
    terms: list[Term] = field(default_factory=list)

    @property
    def positive(self) -> list[Term]:
        return [term for term in self.terms if not term.negated]


@dataclass
class ParsedQuery:
    text: str  # the cleaned text, as the databases receive it
    alternatives: list[Alternative]

    @property
    def words(self) -> list[str]:
        return [w for alt in self.alternatives for term in alt.positive for w in term.words]


def clean_query(raw: str) -> str:
    """The query without control characters (a NUL byte cannot reach PostgreSQL) or runs of
    white space."""
    return " ".join(CONTROL.sub(" ", raw or "").split())


def parse_query(raw: str) -> ParsedQuery:
    text = clean_query(raw)
    if not text:
        raise QueryError("Type a word to search for.")
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"Shorten the search to {MAX_QUERY_LENGTH} characters or fewer.")
    alternatives = [Alternative()]
    count = 0
    for match in TOKEN.finditer(text):
        minus, phrase, bare = match.groups()
        if bare is not None:
            if bare.lower() == "or":
                if alternatives[-1].terms:
                    alternatives.append(Alternative())
                continue
            negated = bare.startswith("-")
            words = tuple(WORD.findall(bare))
        else:
            negated = bool(minus)
            words = tuple(WORD.findall(phrase))
        if not words:
            continue
        count += len(words)
        if count > MAX_TERMS:
            raise QueryError(f"Use at most {MAX_TERMS} words.")
        alternatives[-1].terms.append(Term(words=words, negated=negated))
    alternatives = [alt for alt in alternatives if alt.terms]
    if not alternatives:
        raise QueryError("Type a word to search for: punctuation alone finds nothing.")
    if any(not alt.positive for alt in alternatives):
        raise QueryError(
            "Say what to look for, not only what to leave out: -word excludes it from the "
            "results of the other words."
        )
    return ParsedQuery(text=text, alternatives=alternatives)


def fts5_expression(parsed: ParsedQuery) -> str:
    """The same query in SQLite FTS5's syntax, every word quoted so none is read as an
    operator."""

    def quoted(term: Term) -> str:
        return '"' + " ".join(w.replace('"', '""') for w in term.words) + '"'

    parts = []
    for alt in parsed.alternatives:
        expression = " AND ".join(quoted(t) for t in alt.positive)
        negated = [quoted(t) for t in alt.terms if t.negated]
        if negated:
            expression = f"({expression}) NOT ({' OR '.join(negated)})"
        parts.append(f"({expression})")
    return " OR ".join(parts)
