"""Alias matching and link suggestions: whole words, case rules, and THE RULE for agreements."""

from types import SimpleNamespace

import pytest

from apps.news import matching
from apps.news.matching import (
    ACTOR,
    AGREEMENT,
    BY_PARTIES,
    BY_TERM,
    CHALLENGE,
    SNIPPET_CHARS,
    AliasMatcher,
    Match,
    build_matcher,
    get_matcher,
    suggest_links,
)
from apps.tracker.models import Alias
from tests.factories import (
    ActorFactory,
    AgreementFactory,
    AliasFactory,
    LegalChallengeFactory,
    PartyFactory,
)

# The seed article (shared/seeds/irs-ice-mou-article.txt), verbatim, one paragraph a line.
DEMO_ARTICLE = "\n".join(
    [
        "The Internal Revenue Service will assist Immigration and Customs Enforcement in "
        "finding illegal immigrants, according to a court filing on Monday.",
        "The deal stipulates ICE officials can ask the agency for information about people "
        "who have been ordered to leave the United States or who they are investigating.",
        "Recommended Stories",
        "- Chip Roy warns against taking Supreme Court ruling against Boasberg 'to the bank'",
        "- Wes Moore weighs signing Maryland bill to block ICE from schools and libraries",
        "- Eric Adams blasts 'minimal help' from federal government after Trump pulls grants",
        "The IRS could then turn over tax information with earnings, addresses, and other "
        "information concerning the subjects ICE is probing. Treasury Secretary Scott Bessent"
        " and Homeland Security Secretary Kristi Noem signed the agreement.",
        "“The bases for this (memorandum of understanding) are founded in longstanding "
        "authorities granted by Congress, which serve to protect the privacy of law-abiding "
        "Americans while streamlining the ability to pursue criminals,” a Treasury "
        "spokesperson said in a statement to CNN.",
        "Some illegal immigrants do pay taxes in order to comply with the law and to build "
        "their case toward becoming legal residents, among other reasons. They use ITINs, or "
        "individual taxpayer identification numbers, to file taxes in the absence of a Social"
        " Security number. “Most experts believe that the vast majority of tax returns filed "
        "with ITINs today are filed by undocumented immigrants,” the Bipartisan Policy Center"
        " said in 2018.",
        "Information from the IRS being used to investigate and deport illegal immigrants is "
        "“unprecedented,” former IRS official Nina Olson told the New York Times. The plan "
        "will likely boost ICE’s deportation efforts.",
        "The deal maintains that the plan will adhere to laws concerning what IRS data can "
        "and cannot be shared. “Each request must be made consistent” with the tax code, and "
        "ICE will “ensure the proper handling, transmission, safeguarding, and security” of "
        "the information it receives.",
        "There’s concern illegal immigrants will not pay their taxes in fear of disclosing "
        "information to the IRS that could be used by ICE.",
        "Public advocacy groups previously expressed concern about a deal between the IRS and"
        " ICE. Public Citizen, a nonprofit advocacy organization, sued to stop the plan. The "
        "group’s attorneys said it “threatens to usurp Congress’s authority to decide when "
        "and on what terms confidential IRS information can be used by other agencies.”",
        "Rep. Jimmy Gomez (D-CA), whose father was an immigrant from Mexico, trashed the deal.",
        "“The IRS should NEVER be weaponized to target immigrant families. This backdoor deal"
        " with ICE shatters decades of trust—and may be illegal,” he said in a post on X. “I "
        "serve on the [Ways and Means Committee]. I will fight this with everything I’ve got."
        " No one should fear that filing taxes puts their family at risk.”",
        "Despite the concern behind ICE using IRS data in deportation investigations, "
        "American Immigration Council senior fellow Aaron Reichlin-Melnick says the deal "
        "appears to be limited to criminal investigations and not deportation queries.",
        "TRACKING WHAT DOGE IS DOING ACROSS THE FEDERAL GOVERNMENT",
        "“There are many questions raised about this new agreements, which seems to violate "
        "previous understandings of the laws requiring IRS not to share taxpayer "
        "information,” he said in a post on X.",
        "“But at its heart it does not seem that the MOU permits ICE to ask for taxpayer data"
        " for deportation reasons…It seems primarily to be aimed at criminal investigations "
        "for willful failure to depart after the issuance of a removal order, a crime on the "
        "books which (until now) is virtually never prosecuted,” he added.",
    ]
)

IRS, ICE, DHS, TREASURY = 1, 2, 3, 4
MOU = 10
ALIASES = [
    (ACTOR, IRS, "Internal Revenue Service", False),
    (ACTOR, IRS, "IRS", True),
    (ACTOR, ICE, "U.S. Immigration and Customs Enforcement", False),
    (ACTOR, ICE, "Immigration and Customs Enforcement", False),
    (ACTOR, ICE, "ICE", True),
    (ACTOR, DHS, "Department of Homeland Security", False),
    (ACTOR, DHS, "Homeland Security", False),
    (ACTOR, DHS, "DHS", True),
    (ACTOR, TREASURY, "Department of the Treasury", False),
    # The agreement's own title, which the demo article never uses.
    (AGREEMENT, MOU, "IRS–DHS taxpayer information memorandum", False),
]

UNRELATED_MENTIONS = "\n".join(
    [
        "ICE agents detained two men outside a courthouse in Denver on Tuesday, witnesses said.",
        "In other news, the IRS said most refunds would arrive within three weeks. Officials "
        "expect a record number of electronic returns. Late on Friday, lawmakers also reached a "
        "budget deal that keeps the government open.",
        "The IRS announced new filing rules. ICE opened an office in El Paso. Storms delayed "
        "flights across the region. The city council approved a deal for a new stadium.",
    ]
)


def matcher(*, parties=((MOU, IRS), (MOU, ICE)), extra=()):
    return AliasMatcher.from_aliases([*ALIASES, *extra], parties=parties)


def matched(text, **kwargs):
    return [
        (m.target_kind, m.target_id, text[m.start : m.end]) for m in matcher(**kwargs).match(text)
    ]


def suggested(suggestions):
    return {(s.target_kind, s.target_id) for s in suggestions}


# --- Whole words and case ---------------------------------------------------------------------


def test_matches_whole_words_with_offsets():
    text = "Officials at the IRS said so."

    assert matcher().match(text) == [Match(ACTOR, IRS, "IRS", 17, 20)]


def test_does_not_match_inside_a_longer_word():
    assert matched("The HEIRS of the estate visited ICEland and the PRICE rose.") == []


def test_matches_before_a_possessive_or_hyphen():
    assert matched("The IRS's data, the IRS-ICE deal, ICE’s request.") == [
        (ACTOR, IRS, "IRS"),
        (ACTOR, IRS, "IRS"),
        (ACTOR, ICE, "ICE"),
        (ACTOR, ICE, "ICE"),
    ]


def test_en_dash_and_hyphen_variants_match_the_same_alias():
    extra = [(AGREEMENT, 11, "IRS–ICE MOU", False)]

    for text in ("the IRS–ICE MOU", "the IRS-ICE MOU", "the IRS — ICE MOU", "the IRS/ICE MOU"):
        assert (AGREEMENT, 11) in {(m[0], m[1]) for m in matched(text, extra=extra)}, text


def test_case_sensitive_alias_ignores_other_capitalisations():
    text = "An ice storm hit. Ice covered the roads.\nICE said nothing; neither did Ice or ice."

    assert matched(text) == [(ACTOR, ICE, "ICE")]


def test_case_insensitive_alias_matches_any_case():
    text = "the internal revenue service and the INTERNAL REVENUE SERVICE"

    assert matched(text) == [
        (ACTOR, IRS, "internal revenue service"),
        (ACTOR, IRS, "INTERNAL REVENUE SERVICE"),
    ]


def test_alias_matches_across_a_line_break_and_extra_spaces():
    assert matched("Immigration  and\nCustoms Enforcement") == [
        (ACTOR, ICE, "Immigration  and\nCustoms Enforcement")
    ]


def test_overlapping_aliases_of_different_records_all_match():
    found = matched("U.S. Immigration and Customs Enforcement within Homeland Security")

    assert found == [
        (ACTOR, ICE, "U.S. Immigration and Customs Enforcement"),
        (ACTOR, ICE, "Immigration and Customs Enforcement"),
        (ACTOR, DHS, "Homeland Security"),
    ]


def test_match_reports_the_stored_term():
    (found,) = matcher(extra=[(AGREEMENT, 11, "IRS–ICE MOU", False)]).match("an IRS-ICE MOU")[1:2]

    assert found.term == "IRS–ICE MOU"


def test_unknown_target_kind_is_refused():
    with pytest.raises(ValueError, match="Unknown target kind"):
        AliasMatcher.from_aliases([("topic", 1, "Taxes", False)])


# --- THE RULE ---------------------------------------------------------------------------------


def test_demo_article_suggests_the_agreement_through_its_parties():
    suggestions = suggest_links(title="", text=DEMO_ARTICLE, matcher=matcher())

    assert suggested(suggestions) == {(AGREEMENT, MOU), (ACTOR, IRS), (ACTOR, ICE), (ACTOR, DHS)}


def test_demo_article_suggests_the_agreement_when_dhs_is_the_party():
    # The memorandum was entered into by the IRS and DHS; the article names "Homeland Security".
    suggestions = suggest_links(
        title="", text=DEMO_ARTICLE, matcher=matcher(parties=((MOU, IRS), (MOU, DHS)))
    )

    assert (AGREEMENT, MOU) in suggested(suggestions)


def test_parties_in_unrelated_sentences_do_not_suggest_the_agreement():
    suggestions = suggest_links(title="", text=UNRELATED_MENTIONS, matcher=matcher())

    assert suggested(suggestions) == {(ACTOR, IRS), (ACTOR, ICE)}


def test_parties_and_deal_in_one_sentence_suggest_the_agreement():
    text = "Advocates criticised a deal between the IRS and ICE."

    (agreement,) = [
        s
        for s in suggest_links(title="", text=text, matcher=matcher())
        if s.target_kind == AGREEMENT
    ]

    assert agreement.matched_terms == ["deal", "IRS", "ICE"]
    assert agreement.score == 1.5


def test_each_suggestion_says_which_half_of_the_rule_made_it():
    by_parties = "Advocates criticised a deal between the IRS and ICE."
    by_title = "Advocates criticised the IRS-ICE MOU."
    title = [(AGREEMENT, MOU, "IRS-ICE MOU", False)]

    rules = {
        text: {
            (s.target_kind, s.target_id): s.rule
            for s in suggest_links(title="", text=text, matcher=matcher(extra=title))
        }
        for text in (by_parties, by_title)
    }

    assert rules[by_parties] == {
        (AGREEMENT, MOU): BY_PARTIES,
        (ACTOR, IRS): BY_TERM,
        (ACTOR, ICE): BY_TERM,
    }
    assert rules[by_title][(AGREEMENT, MOU)] == BY_TERM  # its own title, parties or not


def test_parties_and_instrument_in_the_next_sentence_suggest_the_agreement():
    text = "The IRS will hand over addresses to ICE. Officials signed the memorandum on Monday."

    assert (AGREEMENT, MOU) in suggested(suggest_links(title="", text=text, matcher=matcher()))


def test_instrument_two_sentences_away_does_not_count():
    text = "The IRS will hand over addresses to ICE. It starts soon. Officials signed a memorandum."

    assert (AGREEMENT, MOU) not in suggested(suggest_links(title="", text=text, matcher=matcher()))


def test_abbreviation_does_not_end_a_sentence():
    text = "Rep. Jimmy Gomez called it a deal. He said the IRS was wrong. Mr. Lee said ICE was too."

    assert (AGREEMENT, MOU) not in suggested(suggest_links(title="", text=text, matcher=matcher()))
    text = "Rep. Gomez of the IRS panel. Mr. Lee of ICE called it a deal."
    assert (AGREEMENT, MOU) in suggested(suggest_links(title="", text=text, matcher=matcher()))


def test_one_party_named_twice_is_not_two_parties():
    text = "The IRS and the Internal Revenue Service signed an agreement."

    assert (AGREEMENT, MOU) not in suggested(suggest_links(title="", text=text, matcher=matcher()))


def test_agreement_by_its_own_alias():
    extra = [(AGREEMENT, MOU, "data-sharing agreement", False)]

    suggestions = suggest_links(
        title="", text="Critics of the data sharing agreement spoke.", matcher=matcher(extra=extra)
    )

    assert suggested(suggestions) == {(AGREEMENT, MOU)}
    assert suggestions[0].matched_terms == ["data sharing agreement"]


def test_title_matches_weigh_more_than_text_matches():
    suggestions = suggest_links(
        title="IRS to share data",
        text="Homeland Security officials declined to comment.",
        matcher=matcher(),
    )

    scores = {(s.target_kind, s.target_id): s.score for s in suggestions}
    assert scores == {(ACTOR, IRS): 3.0, (ACTOR, DHS): 1.0}
    assert [s.target_id for s in suggestions] == [IRS, DHS]


def test_snippet_is_plain_text_around_the_first_text_match():
    filler = "Lorem ipsum dolor sit amet. " * 20
    text = filler + "Officials at the\nIRS   declined to comment. " + filler

    (suggestion,) = suggest_links(title="IRS news", text=text, matcher=matcher())

    assert "Officials at the IRS declined to comment." in suggestion.snippet
    assert suggestion.snippet.startswith("…") and suggestion.snippet.endswith("…")
    assert len(suggestion.snippet) <= SNIPPET_CHARS + 2
    assert "\n" not in suggestion.snippet
    assert suggestion.matched_terms == ["IRS"]


def test_snippet_comes_from_the_title_when_the_text_has_no_match():
    (suggestion,) = suggest_links(title="IRS news", text="Nothing here.", matcher=matcher())

    assert suggestion.snippet == "IRS news"


def test_no_text_no_suggestions():
    assert suggest_links(title="", text="", matcher=matcher()) == []


# --- Built from the database ------------------------------------------------------------------


@pytest.mark.django_db
def test_an_actors_name_matches_only_with_its_capitals():
    public_citizen = ActorFactory(name="Public Citizen")

    found = build_matcher().match("Any public citizen may ask; Public Citizen sued.")

    assert [(m.target_id, m.start) for m in found] == [(public_citizen.pk, 28)]


@pytest.mark.django_db
def test_build_matcher_uses_names_aliases_captions_and_dockets():
    irs = ActorFactory(name="Internal Revenue Service")
    AliasFactory(actor=irs, text="IRS", case_sensitive=True)
    dhs = ActorFactory(name="DHS")
    agreement = AgreementFactory(title="Taxpayer Data Memorandum")
    AliasFactory(actor=None, agreement=agreement, text="IRS–ICE MOU")
    challenge = LegalChallengeFactory(
        caption="Centro de Trabajadores Unidos v. Bessent", docket_number="25-cv-0677"
    )
    AliasFactory(actor=None, challenge=challenge, text="Centro v. Bessent")
    text = (
        "In Centro de Trabajadores Unidos v. Bessent (No. 25-cv-0677), also called Centro v. "
        "Bessent, the IRS and the Internal Revenue Service defended the taxpayer data "
        "memorandum, the irs-ice mou, as dhs watched."
    )

    found = {(m.target_kind, m.target_id, m.term) for m in build_matcher().match(text)}

    assert found == {
        (CHALLENGE, challenge.pk, "Centro de Trabajadores Unidos v. Bessent"),
        (CHALLENGE, challenge.pk, "25-cv-0677"),
        (CHALLENGE, challenge.pk, "Centro v. Bessent"),
        (ACTOR, irs.pk, "IRS"),
        (ACTOR, irs.pk, "Internal Revenue Service"),
        (AGREEMENT, agreement.pk, "Taxpayer Data Memorandum"),
        (AGREEMENT, agreement.pk, "IRS–ICE MOU"),
    }
    # An all-capitals name is an acronym: "dhs" in lower case is not DHS.
    assert dhs.pk not in {
        m.target_id for m in build_matcher().match(text) if m.target_kind == ACTOR
    }


@pytest.mark.django_db
def test_build_matcher_reads_parties_for_the_rule():
    irs = ActorFactory(name="Internal Revenue Service")
    ice = ActorFactory(name="Immigration and Customs Enforcement")
    agreement = AgreementFactory(title="Taxpayer Data Memorandum")
    PartyFactory(agreement=agreement, actor=irs)
    PartyFactory(agreement=agreement, actor=ice)

    suggestions = suggest_links(
        title="",
        text="A deal between the Internal Revenue Service and Immigration and Customs Enforcement.",
        matcher=build_matcher(),
    )

    assert (AGREEMENT, agreement.pk) in suggested(suggestions)


@pytest.mark.parametrize("alias_count", [1, 200])
@pytest.mark.django_db
def test_build_matcher_query_count_does_not_grow(alias_count, django_assert_max_num_queries):
    agreement = AgreementFactory()
    LegalChallengeFactory()
    for _ in range(alias_count):
        AliasFactory()
        PartyFactory(agreement=agreement)

    with django_assert_max_num_queries(3):
        built = build_matcher()

    # Each AliasFactory makes an actor too: its name and its alias, plus the court's name.
    assert built.term_count >= 2 * alias_count


@pytest.mark.django_db
def test_get_matcher_is_cached_while_nothing_changes(django_assert_max_num_queries):
    AliasFactory(text="IRS", case_sensitive=True)
    first = get_matcher()

    with django_assert_max_num_queries(1):
        assert get_matcher() is first


@pytest.mark.django_db
def test_get_matcher_rebuilds_after_an_alias_is_added():
    actor = ActorFactory(name="Internal Revenue Service")
    assert get_matcher().match("the Service and the IRS") == []

    AliasFactory(actor=actor, text="IRS", case_sensitive=True)

    assert [m.term for m in get_matcher().match("the Service and the IRS")] == ["IRS"]


@pytest.mark.django_db
def test_get_matcher_rebuilds_after_an_alias_is_deleted():
    alias = AliasFactory(text="IRS", case_sensitive=True)
    assert [m.term for m in get_matcher().match("the IRS")] == ["IRS"]

    alias.delete()

    assert get_matcher().match("the IRS") == []


@pytest.mark.django_db
def test_a_worker_asks_whether_the_records_changed_at_most_every_few_seconds(
    settings, django_assert_num_queries
):
    settings.MATCHER_RECHECK_SECONDS = 3600
    actor = ActorFactory(name="Internal Revenue Service")
    assert get_matcher().match("the Service and the IRS") == []
    AliasFactory(actor=actor, text="IRS", case_sensitive=True)

    with django_assert_num_queries(0):  # within the interval: the matcher it has
        assert get_matcher().match("the Service and the IRS") == []

    settings.MATCHER_RECHECK_SECONDS = 0  # the interval is over
    assert [m.term for m in get_matcher().match("the Service and the IRS")] == ["IRS"]


@pytest.mark.django_db
def test_suggest_links_uses_the_current_records_by_default():
    actor = ActorFactory(name="Public Citizen")

    (suggestion,) = suggest_links(title="", text="Public Citizen sued.")

    assert (suggestion.target_kind, suggestion.target_id) == (ACTOR, actor.pk)


# --- Edges of THE RULE, as a reader would check them -------------------------------------------


def test_parties_and_instrument_in_adjacent_paragraphs_do_not_suggest_the_agreement():
    text = "The IRS will hand over addresses to ICE.\nOfficials signed the memorandum on Monday."

    assert (AGREEMENT, MOU) not in suggested(suggest_links(title="", text=text, matcher=matcher()))


def test_a_middle_initial_does_not_end_a_sentence():
    # "Q." is John Q. Public's initial: the first sentence names both parties.
    text = "The IRS and John Q. Public of ICE met. They signed a deal."

    assert (AGREEMENT, MOU) in suggested(suggest_links(title="", text=text, matcher=matcher()))


def test_term_count_counts_the_records_names_not_the_instrument_words():
    two_aliases = AliasMatcher.from_aliases(
        [(ACTOR, IRS, "IRS", True), (ACTOR, ICE, "ICE", True)], parties=()
    )

    assert two_aliases.term_count == 2


@pytest.mark.django_db
def test_an_all_capitals_title_matches_only_in_capitals():
    daca = AgreementFactory(title="DACA")
    renewal = AgreementFactory(title="Deferred Action Renewal")

    found = build_matcher().match("daca rules and the DACA memo; a deferred action renewal")

    assert [(m.target_id, m.start) for m in found] == [(daca.pk, 19), (renewal.pk, 32)]


def test_an_agreement_needs_two_of_its_own_parties():
    two_parties = matcher()

    assert two_parties.agreements_with_parties({IRS}) == set()
    assert two_parties.agreements_with_parties({IRS, DHS}) == set()
    assert two_parties.agreements_with_parties({IRS, ICE}) == {MOU}


def test_a_party_and_an_actor_that_is_not_one_do_not_suggest_the_agreement():
    # ICE, the other party, is named too, but three sentences away from the deal.
    text = "A deal between the IRS and DHS was criticised. Few noticed. Later ICE opened an office."

    assert suggested(suggest_links(title="", text=text, matcher=matcher())) == {
        (ACTOR, IRS),
        (ACTOR, DHS),
        (ACTOR, ICE),
    }


def test_parties_and_instrument_in_the_title_count_as_title_matches_at_half_weight():
    suggestions = suggest_links(title="IRS and ICE sign a deal", text="", matcher=matcher())

    scores = {(s.target_kind, s.target_id): s.score for s in suggestions}
    assert scores[(AGREEMENT, MOU)] == 4.5  # three title matches, 3 each, halved


def test_matched_terms_come_in_order_of_appearance_title_first():
    caption = "Centro de Trabajadores Unidos v. Bessent"
    extra = [(CHALLENGE, 20, caption, False), (CHALLENGE, 20, "Trabajadores Unidos", False)]
    text = f"Immigration and Customs Enforcement agents came. In {caption}, a judge ruled."

    terms = {
        (s.target_kind, s.target_id): s.matched_terms
        for s in suggest_links(title="Lawsuit: ICE raids", text=text, matcher=matcher(extra=extra))
    }

    assert terms[(ACTOR, ICE)] == ["ICE", "Immigration and Customs Enforcement"]
    assert terms[(CHALLENGE, 20)] == [caption, "Trabajadores Unidos"]


def test_equal_scores_list_agreements_then_challenges_then_actors():
    records = AliasMatcher.from_aliases(
        [
            (ACTOR, 10, "Public Citizen", True),
            (CHALLENGE, 20, "Centro v. Bessent", False),
            (AGREEMENT, 30, "Taxpayer Data Memorandum", False),
        ]
    )
    text = "Public Citizen cited Centro v. Bessent against the taxpayer data memorandum."

    suggestions = suggest_links(title="", text=text, matcher=records)

    assert [(s.target_kind, s.target_id, s.score) for s in suggestions] == [
        (AGREEMENT, 30, 1.0),
        (CHALLENGE, 20, 1.0),
        (ACTOR, 10, 1.0),
    ]


COUNTY = 5


@pytest.mark.parametrize(
    ("text", "suggests"),
    [
        # A quotation mark before a title does not hide it.
        ("The IRS and ICE met. \u201cSen. Smith called it a deal.\u201d", True),
        # A dotted abbreviation does not end a sentence.
        ("Officials of the IRS visited the U.S. Capitol with ICE staff. They signed a deal.", True),
        # Two capitals are a word, not an initial: "XL." ends the sentence.
        ("The IRS spoke at Super Bowl XL. Fans cheered. ICE signed a deal.", False),
        # A line that opens with a title, after a heading with no full stop.
        ("Jail contracts\nSt. Louis County and ICE met on Monday. They signed a deal.", True),
        # A paragraph's sentences are counted within it, whatever came before.
        ("ICE agreed.\nThey signed a deal. The IRS and ICE met.", True),
    ],
)
def test_sentence_ends_as_a_reader_sees_them(text, suggests):
    county = matcher(
        parties=((MOU, IRS), (MOU, ICE), (MOU, COUNTY)),
        extra=[(ACTOR, COUNTY, "St. Louis County", True)],
    )

    assert ((AGREEMENT, MOU) in suggested(suggest_links(title="", text=text, matcher=county))) is (
        suggests
    )


def words(first, stop):
    """Filler of five characters a word: "w000 w001 …"."""
    return " ".join(f"w{n:03d}" for n in range(first, stop))


LONG_LINK = "https://example.org/" + "a" * 60  # 80 characters without a space


@pytest.mark.parametrize(
    ("text", "snippet"),
    [
        # The match 80 characters in: the snippet starts with the text.
        (words(0, 16) + " IRS " + words(16, 60), words(0, 16) + " IRS " + words(16, 39) + "…"),
        # 81 characters in: the first word, cut, is left out.
        (
            "x" + words(0, 16) + " IRS " + words(16, 60),
            "…" + words(1, 16) + " IRS " + words(16, 39) + "…",
        ),
        # No space to cut at before the match: cut inside the word.
        (
            LONG_LINK + "/IRS " + words(0, 60),
            "…" + LONG_LINK[1:] + "/IRS " + words(0, 23) + "…",
        ),
        # No space to cut at after the match: cut at 200 characters.
        ("The IRS/" + "c" * 300, "The IRS/" + "c" * 192 + "…"),
        # A text of exactly 200 characters is shown whole.
        ("IRS " + words(0, 39) + " x", "IRS " + words(0, 39) + " x"),
    ],
)
def test_snippet_is_cut_at_spaces_around_the_first_match(text, snippet):
    (suggestion,) = suggest_links(title="", text=text, matcher=matcher())

    assert suggestion.snippet == snippet


@pytest.mark.django_db
def test_a_worker_checks_the_records_again_once_the_interval_is_over(settings, monkeypatch):
    clock = SimpleNamespace(now=1000.0)
    monkeypatch.setattr(matching, "time", SimpleNamespace(monotonic=lambda: clock.now))
    settings.MATCHER_RECHECK_SECONDS = 5
    actor = ActorFactory(name="Internal Revenue Service")
    assert get_matcher().match("the IRS") == []
    AliasFactory(actor=actor, text="IRS", case_sensitive=True)

    clock.now = 1004.5
    assert get_matcher().match("the IRS") == []

    clock.now = 1005.0
    assert [m.term for m in get_matcher().match("the IRS")] == ["IRS"]


@pytest.mark.django_db
def test_a_docket_number_matches_in_any_case():
    case = LegalChallengeFactory(caption="Centro v. Bessent", docket_number="25-cv-0677")

    found = build_matcher().match("Filed as No. 25-CV-0677 in March.")

    assert [(m.target_id, m.term) for m in found] == [(case.pk, "25-cv-0677")]


def _set(record, field, value):
    setattr(record, field, value)
    record.save()


@pytest.mark.parametrize(
    ("change", "now_found"),
    [
        (lambda r: _set(r["office"], "name", "Tax Agency"), (ACTOR, "office")),
        (lambda r: _set(r["memo"], "title", "Tax Memo"), (AGREEMENT, "memo")),
        (lambda r: _set(r["case"], "docket_number", "25-cv-0999"), (CHALLENGE, "case")),
        (lambda r: PartyFactory(agreement=r["memo"], actor=r["ice"]), (AGREEMENT, "memo")),
    ],
    ids=["actor renamed", "agreement retitled", "docket changed", "party added"],
)
@pytest.mark.django_db
def test_get_matcher_sees_a_change_to_any_record_it_reads(change, now_found):
    irs = ActorFactory(name="Internal Revenue Service")
    memo = AgreementFactory(title="Taxpayer Data Memorandum")
    PartyFactory(agreement=memo, actor=irs)
    records = {
        "office": ActorFactory(name="Office of Tax Policy"),
        "ice": ActorFactory(name="Immigration and Customs Enforcement"),
        "memo": memo,
        "case": LegalChallengeFactory(docket_number="25-cv-0677"),
    }
    text = (
        "Tax Agency and Tax Memo in 25-cv-0999: a deal between the Internal Revenue Service "
        "and Immigration and Customs Enforcement."
    )
    kind, name = now_found
    assert (kind, records[name].pk) not in suggested(suggest_links(title="", text=text))

    change(records)

    assert (kind, records[name].pk) in suggested(suggest_links(title="", text=text))


def test_a_term_two_records_share_is_checked_for_each_record():
    # The actor's name must match in capitals; the agreement's alias matches in any case.
    shared = AliasMatcher.from_aliases([(ACTOR, 1, "CARE", True), (AGREEMENT, 2, "care", False)])

    assert [(m.target_kind, m.target_id) for m in shared.match("Care workers")] == [(AGREEMENT, 2)]


@pytest.mark.django_db
def test_get_matcher_sees_aliases_loaded_in_bulk():
    # bulk_create sends no signal, so only the aliases' own table shows the change.
    actor = ActorFactory(name="Internal Revenue Service")
    assert get_matcher().match("the IRS") == []

    Alias.objects.bulk_create([Alias(actor=actor, text="IRS", case_sensitive=True)])

    assert [m.term for m in get_matcher().match("the IRS")] == ["IRS"]


@pytest.mark.django_db
def test_get_matcher_forgets_a_deleted_record_that_was_not_the_latest_change():
    deleted = ActorFactory(name="Office of Tax Policy")
    ActorFactory(name="Internal Revenue Service")
    assert len(get_matcher().match("the Office of Tax Policy")) == 1

    deleted.delete()

    assert get_matcher().match("the Office of Tax Policy") == []


def test_a_name_in_greek_capitals_matches_before_a_possessive():
    greek = AliasMatcher.from_aliases([(ACTOR, 1, "ΣΥΡΙΖΑΣ", False)])

    assert [m.term for m in greek.match("ΣΥΡΙΖΑΣ's leader and Συριζας")] == ["ΣΥΡΙΖΑΣ"] * 2


def test_a_stray_mark_that_case_folding_makes_a_letter_does_not_shift_the_matches():
    # U+0345 alone is no word; folded, it is the letter iota, one word more than the text has.
    text = "ICE \u0345 ICE"

    assert [(m.start, m.end) for m in matcher().match(text)] == [(0, 3), (6, 9)]


def test_a_term_without_a_word_or_given_twice_adds_nothing():
    terms = AliasMatcher.from_aliases(
        [(ACTOR, 7, "—", False), (ACTOR, IRS, "IRS", True), (ACTOR, IRS, "IRS", True)]
    )

    assert terms.term_count == 1
    assert [m.term for m in terms.match("the IRS signed a deal")] == ["IRS"]


def test_instrument_abbreviations_count_only_in_capitals():
    text = "The IRS and ICE staff visited the moa exhibit."

    assert (AGREEMENT, MOU) not in suggested(suggest_links(title="", text=text, matcher=matcher()))
