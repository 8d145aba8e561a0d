"""Near-duplicate detection: syndicated copies are tied to their original, nothing else is."""

import datetime
import json
import subprocess
import sys

import numpy as np
import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import settings as settings_hypothesis
from hypothesis import strategies as st

from apps.news import near_duplicates
from apps.news.near_duplicates import (
    estimate_similarity,
    find_near_duplicate_of,
    fingerprint,
)
from tests.factories import ArticleFactory

WIRE_STORY = """\
The Internal Revenue Service will assist Immigration and Customs Enforcement in finding \
illegal immigrants, according to a court filing on Monday.
The deal stipulates ICE officials can ask the agency for information about people who have been \
ordered to leave the United States or who they are investigating.
The IRS could then turn over tax information with earnings, addresses, and other information \
concerning the subjects ICE is probing. Treasury Secretary Scott Bessent and Homeland Security \
Secretary Kristi Noem signed the agreement.
"The bases for this (memorandum of understanding) are founded in longstanding authorities granted \
by Congress, which serve to protect the privacy of law-abiding Americans while streamlining the \
ability to pursue criminals," a Treasury spokesperson said in a statement.
Some illegal immigrants do pay taxes in order to comply with the law and to build their case \
toward becoming legal residents, among other reasons. They use ITINs, or individual taxpayer \
identification numbers, to file taxes in the absence of a Social Security number.
Information from the IRS being used to investigate and deport illegal immigrants is \
"unprecedented," former IRS official Nina Olson said. The plan will likely boost ICE's \
deportation efforts.
The deal maintains that the plan will adhere to laws concerning what IRS data can and cannot be \
shared. "Each request must be made consistent" with the tax code, and ICE will "ensure the proper \
handling, transmission, safeguarding, and security" of the information it receives.
There's concern illegal immigrants will not pay their taxes in fear of disclosing information to \
the IRS that could be used by ICE.
Public advocacy groups previously expressed concern about a deal between the IRS and ICE. Public \
Citizen, a nonprofit advocacy organization, sued to stop the plan. The group's attorneys said it \
"threatens to usurp Congress's authority to decide when and on what terms confidential IRS \
information can be used by other agencies."
Rep. Jimmy Gomez, whose father was an immigrant from Mexico, trashed the deal. "The IRS should \
NEVER be weaponized to target immigrant families. This backdoor deal with ICE shatters decades of \
trust and may be illegal," he said in a post on X.
Despite the concern behind ICE using IRS data in deportation investigations, American Immigration \
Council senior fellow Aaron Reichlin-Melnick says the deal appears to be limited to criminal \
investigations and not deportation queries.
"But at its heart it does not seem that the MOU permits ICE to ask for taxpayer data for \
deportation reasons. It seems primarily to be aimed at criminal investigations for willful \
failure to depart after the issuance of a removal order," he added.
"""

EXTRA_PARAGRAPH = (
    "The agreement was first reported by the Washington Post, which said negotiations between the "
    "two agencies had gone on for several weeks before the acting commissioner resigned."
)
SECOND_EXTRA_PARAGRAPH = (
    "Tax preparers in several states told reporters that some of their clients had already asked "
    "whether they should stop filing altogether, a question none of them could answer with "
    "confidence before the courts weigh in."
)
BOILERPLATE = "This story was originally published by the Washington Examiner. Copyright 2025."

SAME_TOPIC = """\
A federal judge in Washington declined on Monday to block the Internal Revenue Service from \
sharing taxpayer addresses with Immigration and Customs Enforcement, handing the administration \
an early win in a lawsuit brought by immigrant advocacy groups.
Judge Dabney Friedrich wrote that the memorandum signed in April tracks an exception in the tax \
code that lets a federal agency request return information for a criminal investigation, and that \
the groups had not shown their members would suffer irreparable harm before the case is decided.
The plaintiffs, four nonprofit organizations represented by Public Citizen, argued that the \
arrangement lets ICE use tax records to find people for deportation, something Congress never \
allowed. Their lawyers said they were reviewing the ruling and considering an appeal.
The Treasury Department welcomed the decision. A spokesperson said the agency would continue to \
handle each request from ICE in line with the law and with the privacy protections written into \
the agreement.
Advocates say the uncertainty is already changing behavior. Tax clinics in California and Texas \
report that clients who file with individual taxpayer identification numbers are asking whether \
their information is safe, and some have said they will not file this year.
Rep. Jimmy Gomez, who has criticized the deal, said the ruling did not settle whether the policy \
is wise. "The IRS should never be weaponized to target immigrant families," he said on Monday.
"""


def syndicated_copy() -> str:
    """The wire story as another outlet runs it: an extra paragraph and a boilerplate line."""
    paragraphs = WIRE_STORY.splitlines()
    paragraphs.insert(3, EXTRA_PARAGRAPH)
    paragraphs.append(BOILERPLATE)
    return "\n".join(paragraphs)


def heavier_copy() -> str:
    paragraphs = syndicated_copy().splitlines()
    paragraphs.insert(7, SECOND_EXTRA_PARAGRAPH)
    return "\n".join(paragraphs)


def short_text(n: int) -> str:
    return " ".join(f"word{i}" for i in range(n))


def test_fingerprint_has_one_value_per_permutation():
    signature = fingerprint(WIRE_STORY)

    assert len(signature) == 128
    assert all(isinstance(value, int) and 0 <= value < 2**32 for value in signature)


def test_fingerprint_is_the_same_in_another_process():
    # Another interpreter gets another hash() salt; the fingerprint must not depend on it.
    code = (
        "import os, django, json, sys;"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'policytracker.settings');"
        "django.setup();"
        "from apps.news.near_duplicates import fingerprint;"
        "print(json.dumps(fingerprint(sys.stdin.read())))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        input=WIRE_STORY,
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
        env={"PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin"},
    )

    assert json.loads(result.stdout) == fingerprint(WIRE_STORY)


def test_fingerprint_ignores_case_and_punctuation():
    assert fingerprint(WIRE_STORY.upper().replace(",", "")) == fingerprint(WIRE_STORY)


def test_syndicated_copy_scores_above_threshold():
    assert estimate_similarity(fingerprint(WIRE_STORY), fingerprint(syndicated_copy())) >= 0.7


def test_same_topic_article_scores_far_below_threshold():
    assert estimate_similarity(fingerprint(WIRE_STORY), fingerprint(SAME_TOPIC)) < 0.2


def test_texts_below_min_words_have_no_fingerprint():
    assert fingerprint(short_text(49)) == []
    assert len(fingerprint(short_text(50))) == 128


def test_empty_fingerprints_are_not_similar():
    assert estimate_similarity([], []) == 0.0
    assert estimate_similarity([], fingerprint(WIRE_STORY)) == 0.0


@pytest.mark.django_db
def test_finds_the_original_of_a_syndicated_copy():
    original = ArticleFactory(text=WIRE_STORY, text_fingerprint=fingerprint(WIRE_STORY))
    ArticleFactory(text=SAME_TOPIC, text_fingerprint=fingerprint(SAME_TOPIC))

    found = find_near_duplicate_of(
        fingerprint=fingerprint(syndicated_copy()),
        published_at=original.published_at + datetime.timedelta(hours=3),
    )

    assert found == original


@pytest.mark.django_db
def test_same_topic_article_is_not_a_copy():
    ArticleFactory(text=WIRE_STORY, text_fingerprint=fingerprint(WIRE_STORY))

    found = find_near_duplicate_of(
        fingerprint=fingerprint(SAME_TOPIC), published_at=datetime.datetime.now(datetime.UTC)
    )

    assert found is None


@pytest.mark.django_db
def test_short_texts_never_match_even_when_identical():
    text = short_text(49)
    ArticleFactory(text=text, text_fingerprint=fingerprint(text))

    assert (
        find_near_duplicate_of(
            fingerprint=fingerprint(text), published_at=datetime.datetime.now(datetime.UTC)
        )
        is None
    )


@pytest.mark.django_db
def test_earliest_published_match_is_the_original():
    first = ArticleFactory(text=WIRE_STORY, text_fingerprint=fingerprint(WIRE_STORY))
    ArticleFactory(
        text=WIRE_STORY,
        text_fingerprint=fingerprint(WIRE_STORY),
        published_at=first.published_at + datetime.timedelta(hours=1),
    )

    found = find_near_duplicate_of(
        fingerprint=fingerprint(syndicated_copy()),
        published_at=first.published_at + datetime.timedelta(hours=2),
    )

    assert found == first


@pytest.mark.django_db
def test_follows_a_copy_to_its_root_original():
    # The root sits outside the window; only its copy is close enough to be compared.
    root = ArticleFactory(
        text="different text now",
        text_fingerprint=[],
        published_at=datetime.datetime(2025, 4, 1, tzinfo=datetime.UTC),
    )
    copy = ArticleFactory(
        text=WIRE_STORY,
        text_fingerprint=fingerprint(WIRE_STORY),
        near_duplicate_of=root,
        published_at=datetime.datetime(2025, 4, 8, tzinfo=datetime.UTC),
    )

    found = find_near_duplicate_of(
        fingerprint=fingerprint(syndicated_copy()),
        published_at=copy.published_at + datetime.timedelta(hours=1),
    )

    assert found == root


@pytest.mark.django_db
def test_articles_outside_the_window_are_not_compared():
    original = ArticleFactory(text=WIRE_STORY, text_fingerprint=fingerprint(WIRE_STORY))

    found = find_near_duplicate_of(
        fingerprint=fingerprint(WIRE_STORY),
        published_at=original.published_at
        + datetime.timedelta(days=3)
        + datetime.timedelta(hours=1),
    )

    assert found is None


@pytest.mark.django_db
def test_excluded_article_is_not_its_own_original():
    article = ArticleFactory(text=WIRE_STORY, text_fingerprint=fingerprint(WIRE_STORY))

    found = find_near_duplicate_of(
        fingerprint=fingerprint(WIRE_STORY),
        published_at=article.published_at,
        exclude_pk=article.pk,
    )

    assert found is None


@pytest.mark.django_db
def test_rechecking_an_original_does_not_point_it_at_its_copy():
    original = ArticleFactory(text=WIRE_STORY, text_fingerprint=fingerprint(WIRE_STORY))
    ArticleFactory(
        text=syndicated_copy(),
        text_fingerprint=fingerprint(syndicated_copy()),
        near_duplicate_of=original,
        published_at=original.published_at + datetime.timedelta(hours=2),
    )

    found = find_near_duplicate_of(
        fingerprint=original.text_fingerprint,
        published_at=original.published_at,
        exclude_pk=original.pk,
    )

    assert found is None


@pytest.mark.django_db
def test_lookup_runs_a_bounded_number_of_queries(django_assert_max_num_queries):
    for _ in range(20):
        ArticleFactory(text=SAME_TOPIC, text_fingerprint=fingerprint(SAME_TOPIC))
    original = ArticleFactory(text=WIRE_STORY, text_fingerprint=fingerprint(WIRE_STORY))

    with django_assert_max_num_queries(2):
        found = find_near_duplicate_of(
            fingerprint=fingerprint(syndicated_copy()), published_at=original.published_at
        )

    assert found == original


def test_copy_with_two_added_paragraphs_scores_above_threshold():
    assert estimate_similarity(fingerprint(WIRE_STORY), fingerprint(heavier_copy())) >= 0.7


# --- The rules as numbers a curator can check -------------------------------------------------

APRIL_8 = datetime.datetime(2025, 4, 8, 12, 0, tzinfo=datetime.UTC)


def signature_agreeing_in(slots: int, *, of: int = 100) -> tuple[list[int], list[int]]:
    """Two fingerprints of `of` slots that agree in exactly `slots` of them."""
    mine = list(range(of))
    theirs = [value if i < slots else value + 1000 for i, value in enumerate(mine)]
    return mine, theirs


def test_forty_nine_words_have_no_fingerprint_and_fifty_words_do():
    assert fingerprint(short_text(49)) == []
    assert len(fingerprint(short_text(50))) == 128


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("agreeing_slots", "is_copy"),
    [(69, False), (70, True), (71, True)],
)
def test_a_copy_is_one_whose_estimate_reaches_seventy_percent(agreeing_slots, is_copy):
    mine, theirs = signature_agreeing_in(agreeing_slots)
    stored = ArticleFactory(text_fingerprint=theirs, published_at=APRIL_8)

    found = find_near_duplicate_of(fingerprint=mine, published_at=APRIL_8)

    assert found == (stored if is_copy else None)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("offset", "compared"),
    [
        (datetime.timedelta(days=3) - datetime.timedelta(minutes=1), True),
        (datetime.timedelta(days=3), True),
        (datetime.timedelta(days=3) + datetime.timedelta(minutes=1), False),
    ],
)
@pytest.mark.parametrize("direction", [1, -1])
def test_only_articles_published_within_three_days_either_side_are_compared(
    offset, compared, direction
):
    stored = ArticleFactory(
        text=WIRE_STORY,
        text_fingerprint=fingerprint(WIRE_STORY),
        published_at=APRIL_8 + direction * offset,
    )

    found = find_near_duplicate_of(fingerprint=fingerprint(WIRE_STORY), published_at=APRIL_8)

    assert found == (stored if compared else None)


@pytest.mark.django_db
def test_an_undated_article_stored_within_three_days_is_compared():
    undated = ArticleFactory(
        text=WIRE_STORY, text_fingerprint=fingerprint(WIRE_STORY), published_at=None
    )

    found = find_near_duplicate_of(
        fingerprint=fingerprint(syndicated_copy()),
        published_at=undated.created_at + datetime.timedelta(days=2),
    )

    assert found == undated


@pytest.mark.django_db
def test_an_undated_copy_is_compared_with_articles_stored_in_the_last_three_days():
    recent = ArticleFactory(text=WIRE_STORY, text_fingerprint=fingerprint(WIRE_STORY))

    found = find_near_duplicate_of(fingerprint=fingerprint(syndicated_copy()), published_at=None)

    assert found == recent


@pytest.mark.django_db
def test_a_fingerprint_of_another_length_is_no_match_and_no_error():
    # A fingerprint stored under another permutation count cannot be compared slot by slot.
    ArticleFactory(text_fingerprint=fingerprint(WIRE_STORY)[:64], published_at=APRIL_8)

    assert find_near_duplicate_of(fingerprint=fingerprint(WIRE_STORY), published_at=APRIL_8) is None


@pytest.mark.django_db
def test_the_original_is_the_first_published_even_if_stored_later():
    from apps.news.models import Article

    published_first = ArticleFactory(
        text=WIRE_STORY, text_fingerprint=fingerprint(WIRE_STORY), published_at=APRIL_8
    )
    published_second = ArticleFactory(
        text=WIRE_STORY,
        text_fingerprint=fingerprint(WIRE_STORY),
        published_at=APRIL_8 + datetime.timedelta(hours=6),
    )
    # Ingested out of order: the later story reached us a day before the earlier one.
    Article.objects.filter(pk=published_second.pk).update(created_at=APRIL_8)
    Article.objects.filter(pk=published_first.pk).update(
        created_at=APRIL_8 + datetime.timedelta(days=1)
    )

    found = find_near_duplicate_of(
        fingerprint=fingerprint(syndicated_copy()),
        published_at=APRIL_8 + datetime.timedelta(hours=12),
    )

    assert found == published_first


@pytest.mark.django_db
def test_a_hand_made_cycle_of_copies_stops_at_the_first_repeat(django_assert_max_num_queries):
    from apps.news.models import Article

    root = ArticleFactory(text_fingerprint=[], published_at=APRIL_8 - datetime.timedelta(days=9))
    match = ArticleFactory(
        text=WIRE_STORY,
        text_fingerprint=fingerprint(WIRE_STORY),
        near_duplicate_of=root,
        published_at=APRIL_8,
    )
    Article.objects.filter(pk=root.pk).update(near_duplicate_of=match)

    with django_assert_max_num_queries(3):
        found = find_near_duplicate_of(fingerprint=fingerprint(WIRE_STORY), published_at=APRIL_8)

    assert found == root


def test_a_fingerprint_stored_by_an_earlier_release_still_compares():
    # Stored fingerprints outlive deploys: the same text must give the same numbers forever.
    assert fingerprint(short_text(50))[:3] == [2525036198, 383846091, 1416252699]


def test_changing_only_the_last_word_changes_the_fingerprint():
    text = short_text(60)

    assert fingerprint(text + " ending") != fingerprint(text + " different")


@pytest.mark.django_db
def test_an_undated_article_stored_more_than_three_days_away_is_not_compared():
    from apps.news.models import Article

    old = ArticleFactory(text_fingerprint=fingerprint(WIRE_STORY), published_at=None)
    Article.objects.filter(pk=old.pk).update(created_at=APRIL_8 - datetime.timedelta(days=10))

    assert find_near_duplicate_of(fingerprint=fingerprint(WIRE_STORY), published_at=APRIL_8) is None


@pytest.mark.django_db
def test_a_hand_made_copy_of_a_copy_resolves_to_the_root():
    root = ArticleFactory(text_fingerprint=[], published_at=APRIL_8 - datetime.timedelta(days=20))
    middle = ArticleFactory(
        text_fingerprint=[], near_duplicate_of=root, published_at=APRIL_8 - datetime.timedelta(10)
    )
    ArticleFactory(
        text_fingerprint=fingerprint(WIRE_STORY), near_duplicate_of=middle, published_at=APRIL_8
    )

    assert find_near_duplicate_of(fingerprint=fingerprint(WIRE_STORY), published_at=APRIL_8) == root


@pytest.mark.django_db
def test_a_cycle_behind_the_match_is_walked_once(django_assert_max_num_queries):
    from apps.news.models import Article

    far = datetime.timedelta(days=10)
    x = ArticleFactory(text_fingerprint=[], published_at=APRIL_8 - far)
    y = ArticleFactory(text_fingerprint=[], near_duplicate_of=x, published_at=APRIL_8 - 2 * far)
    Article.objects.filter(pk=x.pk).update(near_duplicate_of=y)
    ArticleFactory(
        text_fingerprint=fingerprint(WIRE_STORY), near_duplicate_of=x, published_at=APRIL_8
    )

    with django_assert_max_num_queries(4):
        found = find_near_duplicate_of(fingerprint=fingerprint(WIRE_STORY), published_at=APRIL_8)

    assert found == y


def _fingerprint_by_the_formula(text: str) -> list[int]:
    """The MinHash signature computed the plain way, one Python integer at a time: what every
    stored fingerprint was made with, and what the array arithmetic must give exactly."""
    import hashlib
    import re

    prime = (1 << 61) - 1
    words = re.findall(r"\w+", text.lower())
    if len(words) < 50:
        return []
    shingles = {
        int.from_bytes(
            hashlib.blake2b(" ".join(words[i : i + 4]).encode(), digest_size=8).digest(), "big"
        )
        & prime
        for i in range(len(words) - 3)
    }
    return [
        min((a * x + b) % prime for x in shingles) & ((1 << 32) - 1)
        for a, b in near_duplicates._PERMUTATIONS
    ]


@settings_hypothesis(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(WIRE_STORY.split()), min_size=45, max_size=900))
def test_the_fast_fingerprint_is_exactly_the_formula(words):
    text = " ".join(words)
    assert fingerprint(text) == _fingerprint_by_the_formula(text)


def test_the_permutation_arithmetic_is_exact_at_the_edges_of_its_range():
    prime = (1 << 61) - 1
    values = [0, 1, 2**32 - 1, 2**32, 2**60 + 12345, prime - 1, prime]
    # For every permutation, the values it sends to 0-7: the sum before the last reduction can
    # then be p to p + 7 (it is exactly p for some), where only that last step makes it exact.
    values += [
        (r - b) * pow(a, -1, prime) % prime
        for a, b in near_duplicates._PERMUTATIONS
        for r in range(8)
    ]
    permuted = near_duplicates._permuted(np.array(values, dtype=np.uint64))
    expected = [[(a * x + b) % prime for x in values] for a, b in near_duplicates._PERMUTATIONS]
    assert permuted.tolist() == expected
