"""`manage.py evaluate_extraction` on tiny corpora laid out like the shared ones."""

import gzip
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.news.management.commands.evaluate_extraction import shingle_matching, shingle_scores

PARAGRAPH_A = (
    "The committee voted on Tuesday to release the full text of the agreement between the two "
    "agencies after weeks of closed negotiations over its terms."
)  # 25 tokens
PARAGRAPH_B = (
    "Members of both parties said the public deserved to read the document before any records "
    "were exchanged, and the chair promised hearings in the spring."
)  # 25 tokens
NOT_ON_THE_PAGE = (
    "A spokesperson for the agency declined to comment on the vote or say when the text would "
    "appear online."
)  # 19 tokens
FOOTER = "Copyright Example Gazette. Privacy Policy and Terms of Use apply to this site."

PAGE = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Committee releases agreement</title>
<meta property="article:published_time" content="2020-06-07T23:30:00-04:00"></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Committee releases agreement</h1><p>{PARAGRAPH_A}</p><p>{PARAGRAPH_B}</p></article>
<footer><p>{FOOTER}</p></footer></body></html>""".encode()

UNDATED_PAGE = PAGE.replace(
    b'<meta property="article:published_time" content="2020-06-07T23:30:00-04:00">', b""
)


def build_corpora(root, *, article_bodies, with_segments, dates):
    """Write the three corpora in the shared layout, one page per entry."""
    aeb = root / "scrapinghub-aeb"
    (aeb / "html").mkdir(parents=True)
    truth = {}
    for number, body in enumerate(article_bodies):
        page_id = f"page{number}"
        (aeb / "html" / f"{page_id}.html.gz").write_bytes(gzip.compress(PAGE))
        truth[page_id] = {"articleBody": body, "url": f"https://gazette.example/{page_id}"}
    (aeb / "ground-truth.json").write_text(json.dumps(truth))

    trafilatura = root / "trafilatura-eval-en"
    (trafilatura / "html").mkdir(parents=True)
    (trafilatura / "html" / "gazette.html").write_bytes(PAGE)
    (trafilatura / "evaldata-en-subset.json").write_text(
        json.dumps(
            {
                "https://gazette.example/story": {
                    "file": "gazette.html",
                    "with": with_segments,
                    "without": ["Privacy Policy and Terms of Use", "Home News"],
                }
            }
        )
    )

    mediacloud = root / "htmldate-mediacloud2020"
    (mediacloud / "html").mkdir(parents=True)
    evaluation = {}
    for number, (page, reference) in enumerate(dates):
        (mediacloud / "html" / f"{number}.html").write_bytes(page)
        evaluation[f"https://gazette.example/{number}"] = {
            "file": f"{number}.html",
            "date": reference,
        }
    # htmldate's file marks a page with no known date as NaN.
    (mediacloud / "eval_mediacloud_2020-subset.json").write_text(json.dumps(evaluation))
    return root


def run_json(*args):
    out = StringIO()
    call_command("evaluate_extraction", *args, "--json", stdout=out)
    return json.loads(out.getvalue())["results"]["default"]


@pytest.fixture
def perfect_corpora(tmp_path):
    return build_corpora(
        tmp_path,
        article_bodies=[f"{PARAGRAPH_A}\n\n{PARAGRAPH_B}"],
        with_segments=[PARAGRAPH_A, "the chair promised hearings in the spring."],
        dates=[(PAGE, "2020-06-07"), (UNDATED_PAGE, float("nan"))],
    )


def test_perfect_extraction_scores_one(perfect_corpora):
    results = run_json(str(perfect_corpora))

    aeb = results["scrapinghub-aeb"]
    assert (aeb["precision"], aeb["recall"], aeb["f1"]) == (1.0, 1.0, 1.0)
    segments = results["trafilatura-eval-en"]
    assert segments["segments"] == {"tp": 2, "fn": 0, "fp": 0, "tn": 2}
    assert (segments["precision"], segments["recall"], segments["f1"]) == (1.0, 1.0, 1.0)
    assert all(summary["errors"] == 0 for summary in results.values())


def test_dates_score_on_the_page_calendar_and_in_utc(perfect_corpora):
    dates = run_json(str(perfect_corpora))["htmldate-mediacloud2020"]

    # 23:30 at UTC-4 on June 7 is June 8 in UTC; the undated page is rightly left undated.
    assert dates["date_accuracy"] == 1.0
    assert dates["date_accuracy_utc"] == 0.5
    assert dates["date_coverage"] == 0.5


def test_missing_text_lowers_recall_by_the_missing_shingles(tmp_path):
    corpora = build_corpora(
        tmp_path,
        article_bodies=[
            f"{PARAGRAPH_A}\n\n{PARAGRAPH_B}",
            f"{PARAGRAPH_A}\n\n{PARAGRAPH_B}\n\n{NOT_ON_THE_PAGE}",
        ],
        with_segments=[PARAGRAPH_A, NOT_ON_THE_PAGE],
        dates=[(PAGE, "2020-06-09")],
    )
    results = run_json(str(corpora))

    aeb = results["scrapinghub-aeb"]
    # Second page: the 47 shingles extracted are all in the truth's 66; 19 are missed.
    recall = (1 + 47 / 66) / 2
    assert aeb["precision"] == 1.0
    assert aeb["recall"] == pytest.approx(recall)
    assert aeb["f1"] == pytest.approx(2 * recall / (1 + recall))
    segments = results["trafilatura-eval-en"]
    assert segments["recall"] == 0.5
    assert segments["f1"] == pytest.approx(2 / 3)
    assert results["htmldate-mediacloud2020"]["date_accuracy"] == 0.0


def test_wrong_extraction_scores_zero(tmp_path):
    corpora = build_corpora(
        tmp_path,
        article_bodies=[NOT_ON_THE_PAGE],
        with_segments=[NOT_ON_THE_PAGE],
        dates=[(PAGE, "2019-01-01")],
    )
    aeb = run_json(str(corpora))["scrapinghub-aeb"]
    assert (aeb["precision"], aeb["recall"], aeb["f1"]) == (0.0, 0.0, 0.0)


def test_unreadable_page_counts_as_an_error_and_the_run_goes_on(perfect_corpora):
    (perfect_corpora / "scrapinghub-aeb" / "html" / "page0.html.gz").write_bytes(b"not gzip")
    aeb = run_json(str(perfect_corpora))["scrapinghub-aeb"]

    assert aeb["errors"] == 1
    assert aeb["recall"] == 0.0
    assert "page0: BadGzipFile" in aeb["error_samples"][0]


def test_page_without_an_article_counts_as_no_text(perfect_corpora):
    (perfect_corpora / "trafilatura-eval-en" / "html" / "gazette.html").write_bytes(
        b"<html><body><nav><a href='/'>Home</a></nav></body></html>"
    )
    segments = run_json(str(perfect_corpora))["trafilatura-eval-en"]

    assert (segments["no_text"], segments["errors"]) == (1, 0)
    assert segments["segments"] == {"tp": 0, "fn": 2, "fp": 0, "tn": 2}


def test_limit_caps_pages_per_corpus(perfect_corpora):
    results = run_json(str(perfect_corpora), "--limit", "1")
    assert results["htmldate-mediacloud2020"]["pages"] == 1


def test_text_output_names_each_corpus_with_its_scores(perfect_corpora):
    out = StringIO()
    call_command("evaluate_extraction", str(perfect_corpora), stdout=out)
    lines = out.getvalue().splitlines()

    assert lines[0].startswith("configuration: default")
    assert any(
        line.split()[0] == "scrapinghub-aeb" and "F1=1.000" in line and "pages/s=" in line
        for line in lines
    )
    assert any(
        line.split()[0] == "htmldate-mediacloud2020" and "date acc=1.000" in line for line in lines
    )


def test_compare_measures_every_configuration(perfect_corpora):
    out = StringIO()
    call_command("evaluate_extraction", str(perfect_corpora), "--compare", "--json", stdout=out)
    results = json.loads(out.getvalue())["results"]
    assert {"default", "balanced", "recall", "no-tables"} <= set(results)


def test_directory_without_corpora_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="No corpus found"):
        call_command("evaluate_extraction", str(tmp_path))


def test_shingles_match_as_a_multiset_normalised_per_page():
    # Truth a-b-c-d-e, prediction a-b-c-d-x: one shingle shared, one extra, one missed.
    assert shingle_matching(truth="a b c d e", prediction="a b c d x") == (1 / 3, 1 / 3, 1 / 3)
    assert shingle_matching(truth="short text", prediction="short text") == (1.0, 0.0, 0.0)
    assert shingle_matching(truth="", prediction="") == (0.0, 0.0, 0.0)


def test_scores_average_precision_over_pages_that_predicted_something():
    # The page with nothing predicted counts toward recall only, as in the benchmark.
    scores = shingle_scores([(1.0, 0.0, 0.0), (0.0, 0.0, 1.0)])
    assert scores == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3)}
