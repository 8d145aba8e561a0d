"""Near-duplicate detection: syndicated copies are tied to their original, nothing else is."""

import datetime
import json
import subprocess
import sys

import pytest
from django.conf import settings

from apps.news.near_duplicates import (
    MIN_WORDS,
    NEAR_DUPLICATE_THRESHOLD,
    NEAR_DUPLICATE_WINDOW,
    NUM_PERMUTATIONS,
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

    assert len(signature) == NUM_PERMUTATIONS
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
    assert estimate_similarity(fingerprint(WIRE_STORY), fingerprint(syndicated_copy())) >= (
        NEAR_DUPLICATE_THRESHOLD
    )


def test_same_topic_article_scores_far_below_threshold():
    assert estimate_similarity(fingerprint(WIRE_STORY), fingerprint(SAME_TOPIC)) < 0.2


def test_texts_below_min_words_have_no_fingerprint():
    assert fingerprint(short_text(MIN_WORDS - 1)) == []
    assert len(fingerprint(short_text(MIN_WORDS))) == NUM_PERMUTATIONS


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
    text = short_text(MIN_WORDS - 1)
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
        published_at=original.published_at + NEAR_DUPLICATE_WINDOW + datetime.timedelta(hours=1),
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
    assert estimate_similarity(fingerprint(WIRE_STORY), fingerprint(heavier_copy())) >= (
        NEAR_DUPLICATE_THRESHOLD
    )
