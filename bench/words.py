"""A word model for synthetic text: a bigram Markov chain over real news prose.

It is trained at run time from a corpus the caller names (the ScrapingHub ground truth under
`../shared/corpora/`, or any folder of `.txt`/`ground-truth.json` files), or from the short
built-in passage below, and then produces a fixed pool of sentences that texts, titles and
quotes are drawn from, so generating a million articles costs a few list look-ups each.
"""

import json
import random
import re
from pathlib import Path

# A few paragraphs in the register of the record (policy reporting), so the generator works with
# no corpus at all. Written for this project.
BUILTIN_TEXT = """
The agreement allows the agency to share taxpayer records with immigration officials for the
first time. Advocates said the memorandum would expose families to enforcement without any
judicial review. The department said in a statement that the data would be used only for
criminal investigations and that every request would be reviewed by a senior official.
A federal judge declined to block the policy on Friday, writing that the plaintiffs had not
shown that they would suffer irreparable harm before the case is decided. Lawyers for the
coalition said they would appeal the ruling to the circuit court. The inspector general opened
a review of how the program was carried out after a report found that thousands of records had
been shared without the required checks. Lawmakers from both parties asked the secretary to
testify at a hearing next month. The commissioner resigned after the deal was signed, according
to two people familiar with the decision. Under the rule, states must report the number of
requests they receive each quarter and publish the guidance on their websites. Civil liberties
groups filed a lawsuit in the district court, arguing that the order violates the privacy act
and the administrative procedure act. The administration has defended the measure as a lawful
use of existing authority and said it would reduce fraud. Critics say the data sharing could
discourage millions of people from filing returns and paying the taxes they owe. A spokesperson
for the agency did not respond to a request for comment. The court ordered the government to
file a response by the end of the month. The committee released documents showing that the
program had been planned for more than a year before it was announced. Officials said the
changes would take effect in the spring and would apply to new applications only. The
memorandum of understanding sets out how the two agencies will exchange information, who may
see it and how long it may be kept. Researchers at the institute estimated that the policy
would affect several hundred thousand households in the first year. The governor signed the
executive order on Tuesday, directing state agencies to stop cooperating with federal requests
for the records. The settlement requires the department to delete the data it collected and to
report to the court every six months. Reporters obtained a copy of the draft agreement, which
had not been made public. The union said its members had not been consulted about the change.
"""

_SENTENCE_END = re.compile(r"[.!?][\"”’']?$")
_TOKEN = re.compile(r"\S+")


def _mostly_english(text: str) -> bool:
    """The word model mixes languages badly: keep only texts written in (mostly) ASCII."""
    sample = text[:2000]
    return bool(sample) and sum(c.isascii() for c in sample) / len(sample) > 0.97


def read_corpus(path: Path | None, *, max_chars: int = 3_000_000) -> str:
    """The prose under `path` (a ground-truth.json of {id: {"articleBody": …}}, a .txt file, or a
    folder holding either), at most `max_chars` of it; the built-in passage when there is none."""
    if path is None:
        return BUILTIN_TEXT
    path = Path(path)
    files = [path] if path.is_file() else sorted(path.rglob("ground-truth.json"))
    if path.is_dir():
        files += sorted(path.rglob("*.txt"))[:200]
    chunks, size = [], 0
    for file in files:
        try:
            raw = file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if file.suffix == ".json":
            try:
                data = json.loads(raw)
            except ValueError:
                continue
            items = data.values() if isinstance(data, dict) else data
            texts = [item.get("articleBody", "") for item in items if isinstance(item, dict)]
        elif file.name.lower().startswith(("readme", "license")):
            continue
        else:
            texts = [raw]
        for text in texts:
            if not _mostly_english(text):
                continue
            chunks.append(text)
            size += len(text)
            if size >= max_chars:
                return "\n".join(chunks)
    return "\n".join(chunks) if size > 2_000 else BUILTIN_TEXT


class WordModel:
    """Bigram chain over the corpus tokens; `sentences` is the pool every text is built from."""

    def __init__(self, text: str, *, rng: random.Random, pool_size: int = 6000):
        tokens = [t for t in _TOKEN.findall(text) if len(t) < 30 and "http" not in t]
        self.followers: dict[str, list[str]] = {}
        starts = []
        previous = "."
        for token in tokens:
            self.followers.setdefault(previous, []).append(token)
            if _SENTENCE_END.search(previous) and token[:1].isupper():
                starts.append(token)
            previous = token
        self.starts = starts or ["The"]
        self.words = sorted({t.strip(".,;:!?\"“”()'’").lower() for t in tokens} - {""})
        self.rng = rng
        self.sentences = [self._sentence() for _ in range(pool_size)]

    def _sentence(self) -> str:
        rng = self.rng
        word = rng.choice(self.starts)
        out = [word]
        limit = rng.randint(8, 32)
        while len(out) < limit:
            options = self.followers.get(word)
            if not options:
                break
            word = rng.choice(options)
            out.append(word)
            if _SENTENCE_END.search(word) and len(out) >= 6:
                return " ".join(out)
        return " ".join(out).rstrip(".,;:") + "."

    def paragraph(self, n_sentences: int) -> str:
        return " ".join(self.rng.choices(self.sentences, k=n_sentences))

    def text(self, n_paragraphs: int, sentences_per_paragraph: int = 3) -> str:
        return "\n\n".join(self.paragraph(sentences_per_paragraph) for _ in range(n_paragraphs))

    def title(self, max_words: int = 10) -> str:
        words = self.rng.choice(self.sentences).split()[: self.rng.randint(4, max_words)]
        title = " ".join(words).rstrip(".,;:!?")
        return title[:1].upper() + title[1:]
