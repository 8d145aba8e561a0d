"""The IRS–ICE MOU demo record, as data, and `load_demo_data()` that writes it idempotently.

Everything here comes from the seed article (a report published on 8 April 2025) and the public
court record of the lawsuit against the memorandum. The app never reads the seed files at run
time: what the demo needs is copied below.

Re-running is safe. Each record is found by its natural key (a slug, a canonical URL, an actor
and a role…). A record that is missing is created; a record that exists is left exactly as it
is, because a curator may have corrected it and the curator's version is the record. Pass
`restore=True` to put the demo's values back on demo records that differ. Changing a natural
key (a slug, a statement's text, an event's title) makes a record the demo no longer
recognises, so the next run adds the demo's version back beside it.
"""

import datetime
from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone

from apps.news.models import Article, ArticleLink, Outlet

from .models import (
    Actor,
    Affiliation,
    Agreement,
    Alias,
    ChallengeParty,
    DatePrecision,
    Event,
    LegalChallenge,
    Party,
    Position,
    Statement,
    Topic,
)

CHANGE_REASON = "Loaded by load_demo"

AGREEMENT_SLUG = "irs-ice-mou"
CHALLENGE_SLUG = "centro-de-trabajadores-unidos-v-bessent"

# The seed gives no outlet, address, headline or byline. Its page furniture ("Recommended
# Stories", the all-caps "TRACKING WHAT DOGE…" promo) is the Washington Examiner's, and a news
# aggregator files the same text under the Examiner with the slug
# "irs-to-give-ice-illegal-immigrants-tax-data-to-aid-deportation-effort". The Examiner's own URL
# could not be confirmed, so the article lives at a placeholder under a reserved domain rather
# than at an address that merely looks real, and its summary says so.
ARTICLE_URL = "https://seed.policytracker.example/irs-ice-mou-article"

OUTLET = {
    "slug": "washington-examiner",
    "name": "Washington Examiner",
    "homepage": "https://www.washingtonexaminer.com/",
    "domain": "washingtonexaminer.com",
}

# The article's body as published, without the "Recommended Stories" list and the promo line
# that the page set between its paragraphs: they are navigation, not reporting.
ARTICLE_PARAGRAPHS = (
    "The Internal Revenue Service will assist Immigration and Customs Enforcement in finding "
    "illegal immigrants, according to a court filing on Monday.",
    "The deal stipulates ICE officials can ask the agency for information about people who have "
    "been ordered to leave the United States or who they are investigating.",
    "The IRS could then turn over tax information with earnings, addresses, and other information "
    "concerning the subjects ICE is probing. Treasury Secretary Scott Bessent and Homeland "
    "Security Secretary Kristi Noem signed the agreement.",
    "“The bases for this (memorandum of understanding) are founded in longstanding authorities "
    "granted by Congress, which serve to protect the privacy of law-abiding Americans while "
    "streamlining the ability to pursue criminals,” a Treasury spokesperson said in a statement "
    "to CNN.",
    "Some illegal immigrants do pay taxes in order to comply with the law and to build their case "
    "toward becoming legal residents, among other reasons. They use ITINs, or individual taxpayer "
    "identification numbers, to file taxes in the absence of a Social Security number. “Most "
    "experts believe that the vast majority of tax returns filed with ITINs today are filed by "
    "undocumented immigrants,” the Bipartisan Policy Center said in 2018.",
    "Information from the IRS being used to investigate and deport illegal immigrants is "
    "“unprecedented,” former IRS official Nina Olson told the New York Times. The plan will likely "
    "boost ICE’s deportation efforts.",
    "The deal maintains that the plan will adhere to laws concerning what IRS data can and cannot "
    "be shared. “Each request must be made consistent” with the tax code, and ICE will “ensure the "
    "proper handling, transmission, safeguarding, and security” of the information it receives.",
    "There’s concern illegal immigrants will not pay their taxes in fear of disclosing information "
    "to the IRS that could be used by ICE.",
    "Public advocacy groups previously expressed concern about a deal between the IRS and ICE. "
    "Public Citizen, a nonprofit advocacy organization, sued to stop the plan. The group’s "
    "attorneys said it “threatens to usurp Congress’s authority to decide when and on what terms "
    "confidential IRS information can be used by other agencies.”",
    "Rep. Jimmy Gomez (D-CA), whose father was an immigrant from Mexico, trashed the deal.",
    "“The IRS should NEVER be weaponized to target immigrant families. This backdoor deal with ICE "
    "shatters decades of trust—and may be illegal,” he said in a post on X. “I serve on the [Ways "
    "and Means Committee]. I will fight this with everything I’ve got. No one should fear that "
    "filing taxes puts their family at risk.”",
    "Despite the concern behind ICE using IRS data in deportation investigations, American "
    "Immigration Council senior fellow Aaron Reichlin-Melnick says the deal appears to be limited "
    "to criminal investigations and not deportation queries.",
    "“There are many questions raised about this new agreements, which seems to violate previous "
    "understandings of the laws requiring IRS not to share taxpayer information,” he said in a "
    "post on X.",
    "“But at its heart it does not seem that the MOU permits ICE to ask for taxpayer data for "
    "deportation reasons…It seems primarily to be aimed at criminal investigations for willful "
    "failure to depart after the issuance of a removal order, a crime on the books which (until "
    "now) is virtually never prosecuted,” he added.",
)
ARTICLE_TEXT = "\n\n".join(ARTICLE_PARAGRAPHS)

ARTICLE = {
    "canonical_url": ARTICLE_URL,
    "url": ARTICLE_URL,
    # Reconstructed from the aggregator's slug; see the note on ARTICLE_URL.
    "title": "IRS to give ICE illegal immigrants’ tax data to aid deportation effort",
    "byline": "",
    # Published on Tuesday 8 April 2025 at an unknown time; noon UTC keeps that date in every
    # US time zone.
    "published_at": datetime.datetime(2025, 4, 8, 12, 0, tzinfo=datetime.UTC),
    "language": "en",
    "summary": (
        "Seed article of the demo. The IRS will answer ICE requests for tax information about "
        "people ordered removed, under a memorandum disclosed in a court filing on 7 April 2025. "
        "Provenance: the page style is the Washington Examiner's and an aggregator attributes "
        "the text to it, but the original address, headline and byline are unconfirmed; the URL "
        "is a placeholder under a reserved domain and the title is reconstructed."
    ),
    "text": ARTICLE_TEXT,
    "fetch_status": Article.FetchStatus.FETCHED,
    # No text fingerprint: the seed copy must never become the "original" under which a fetched
    # copy of the real article would be filed as a near-duplicate.
}

TOPICS = (
    {
        "slug": "immigration-enforcement",
        "name": "Immigration enforcement",
        "description": "Finding, detaining and removing people under immigration law.",
    },
    {
        "slug": "taxpayer-privacy",
        "name": "Taxpayer privacy",
        "description": (
            "The confidentiality of tax returns and return information (26 U.S.C. § 6103) and "
            "its exceptions."
        ),
    },
)

# Parents before children. Aliases are (text, case_sensitive): acronyms and short names match
# only in capitals, so that an "ice storm" is not ICE and a "bessent" in a URL is not a person.
# Loose phrases such as "data-sharing agreement" alone are left out: every other agreement
# in the news would match them.
ACTORS = (
    {
        "slug": "treasury",
        "kind": Actor.Kind.DEPARTMENT,
        "name": "Department of the Treasury",
        "description": (
            "The federal executive department for finance and revenue; the IRS sits within it."
        ),
        "website": "https://home.treasury.gov/",
        "aliases": (
            ("Treasury", True),
            ("Treasury Department", False),
            ("Department of the Treasury", False),
            ("U.S. Treasury", False),
        ),
    },
    {
        "slug": "irs",
        "kind": Actor.Kind.AGENCY,
        "name": "Internal Revenue Service",
        "description": "The federal tax agency, a bureau of the Department of the Treasury.",
        "parent": "treasury",
        "website": "https://www.irs.gov/",
        "aliases": (("IRS", True), ("I.R.S.", True), ("Internal Revenue Service", False)),
    },
    {
        "slug": "dhs",
        "kind": Actor.Kind.DEPARTMENT,
        "name": "Department of Homeland Security",
        "description": "The federal executive department for border and immigration enforcement.",
        "website": "https://www.dhs.gov/",
        "aliases": (
            ("DHS", True),
            ("Department of Homeland Security", False),
            ("Homeland Security", True),
        ),
    },
    {
        "slug": "ice",
        "kind": Actor.Kind.AGENCY,
        "name": "U.S. Immigration and Customs Enforcement",
        "description": (
            "The DHS agency that enforces immigration law inside the United States, including "
            "removals."
        ),
        "parent": "dhs",
        "website": "https://www.ice.gov/",
        "aliases": (("ICE", True), ("Immigration and Customs Enforcement", False)),
    },
    {
        "slug": "scott-bessent",
        "kind": Actor.Kind.PERSON,
        "name": "Scott Bessent",
        "description": "Secretary of the Treasury; signed the memorandum for the Treasury.",
        "aliases": (("Scott Bessent", False), ("Bessent", True)),
    },
    {
        "slug": "kristi-noem",
        "kind": Actor.Kind.PERSON,
        "name": "Kristi Noem",
        "description": "Secretary of Homeland Security; signed the memorandum for DHS.",
        "aliases": (("Kristi Noem", False), ("Noem", True)),
    },
    {
        "slug": "nina-olson",
        "kind": Actor.Kind.PERSON,
        "name": "Nina Olson",
        "description": (
            "Former IRS official: National Taxpayer Advocate, the taxpayers' ombudsman within "
            "the IRS, until 2019."
        ),
        "aliases": (("Nina Olson", False), ("Nina E. Olson", False)),
    },
    {
        "slug": "house-ways-and-means-committee",
        "kind": Actor.Kind.COMMITTEE,
        "name": "House Ways and Means Committee",
        "description": (
            "The U.S. House of Representatives committee with jurisdiction over taxation, "
            "including the IRS."
        ),
        "website": "https://waysandmeans.house.gov/",
        "aliases": (
            ("Ways and Means Committee", False),
            ("Committee on Ways and Means", False),
            ("House Ways and Means", False),
        ),
    },
    {
        "slug": "jimmy-gomez",
        "kind": Actor.Kind.PERSON,
        "name": "Jimmy Gomez",
        "description": (
            "U.S. Representative (D-CA), a member of the House Ways and Means Committee."
        ),
        "aliases": (("Jimmy Gomez", False), ("Rep. Gomez", True)),
    },
    {
        "slug": "american-immigration-council",
        "kind": Actor.Kind.ORGANIZATION,
        "name": "American Immigration Council",
        "description": "A nonprofit that researches and litigates on immigration policy.",
        "website": "https://www.americanimmigrationcouncil.org/",
        "aliases": (("American Immigration Council", False),),
    },
    {
        "slug": "aaron-reichlin-melnick",
        "kind": Actor.Kind.PERSON,
        "name": "Aaron Reichlin-Melnick",
        "description": "Senior fellow at the American Immigration Council.",
        "aliases": (("Aaron Reichlin-Melnick", False), ("Reichlin-Melnick", False)),
    },
    {
        "slug": "public-citizen",
        "kind": Actor.Kind.ORGANIZATION,
        "name": "Public Citizen",
        "description": (
            "A nonprofit advocacy organisation; counsel for the plaintiffs challenging the "
            "memorandum."
        ),
        "website": "https://www.citizen.org/",
        # Capitalised only: "a public citizen" is an ordinary phrase.
        "aliases": (("Public Citizen", True),),
    },
    {
        "slug": "bipartisan-policy-center",
        "kind": Actor.Kind.ORGANIZATION,
        "name": "Bipartisan Policy Center",
        "description": "A Washington think tank; wrote in 2018 on tax returns filed with ITINs.",
        "website": "https://bipartisanpolicy.org/",
        "aliases": (("Bipartisan Policy Center", False),),
    },
    {
        "slug": "centro-de-trabajadores-unidos",
        "kind": Actor.Kind.ORGANIZATION,
        "name": "Centro de Trabajadores Unidos",
        "description": (
            "A nonprofit representing immigrants' interests; lead plaintiff against the memorandum."
        ),
        "aliases": (("Centro de Trabajadores Unidos", False),),
    },
    {
        "slug": "immigrant-solidarity-dupage",
        "kind": Actor.Kind.ORGANIZATION,
        "name": "Immigrant Solidarity DuPage",
        "description": (
            "A nonprofit representing immigrants' interests; a plaintiff against the memorandum."
        ),
        "aliases": (("Immigrant Solidarity DuPage", False),),
    },
    {
        "slug": "somos-un-pueblo-unido",
        "kind": Actor.Kind.ORGANIZATION,
        "name": "Somos Un Pueblo Unido",
        "description": (
            "A nonprofit representing immigrants' interests; a plaintiff against the memorandum."
        ),
        "aliases": (("Somos Un Pueblo Unido", False),),
    },
    {
        "slug": "inclusive-action-for-the-city",
        "kind": Actor.Kind.ORGANIZATION,
        "name": "Inclusive Action for the City",
        "description": (
            "A nonprofit representing immigrants' interests; a plaintiff against the memorandum."
        ),
        "aliases": (("Inclusive Action for the City", False),),
    },
    {
        "slug": "us-district-court-dc",
        "kind": Actor.Kind.COURT,
        "name": "U.S. District Court for the District of Columbia",
        "description": "The federal trial court in Washington, D.C.",
        "website": "https://www.dcd.uscourts.gov/",
        "aliases": (
            ("U.S. District Court for the District of Columbia", False),
            ("District Court for the District of Columbia", False),
            ("D.D.C.", True),
        ),
    },
    {
        "slug": "dabney-friedrich",
        "kind": Actor.Kind.PERSON,
        "name": "Dabney Friedrich",
        "description": (
            "Judge of the U.S. District Court for the District of Columbia; denied the "
            "preliminary injunction against the memorandum."
        ),
        "aliases": (
            ("Dabney Friedrich", False),
            ("Dabney L. Friedrich", False),
            ("Judge Friedrich", False),
        ),
    },
)

# (person, organisation, role, start, end). Dates only where the record gives them.
AFFILIATIONS = (
    ("scott-bessent", "treasury", "Secretary of the Treasury", None, None),
    ("kristi-noem", "dhs", "Secretary of Homeland Security", None, None),
    # The article calls her a "former IRS official"; she retired as National Taxpayer Advocate
    # on 31 July 2019. An open-ended row would show her as holding the office today.
    ("nina-olson", "irs", "National Taxpayer Advocate", None, datetime.date(2019, 7, 31)),
    ("jimmy-gomez", "house-ways-and-means-committee", "Member", None, None),
    ("aaron-reichlin-melnick", "american-immigration-council", "Senior fellow", None, None),
    ("dabney-friedrich", "us-district-court-dc", "District judge", None, None),
)

SIGNED_ON = datetime.date(2025, 4, 7)

AGREEMENT = {
    "slug": AGREEMENT_SLUG,
    "title": "IRS–ICE data-sharing memorandum of understanding",
    "kind": Agreement.Kind.MOU,
    "status": Agreement.Status.SIGNED,
    "summary": (
        "Under this memorandum the Internal Revenue Service answers requests from Immigration "
        "and Customs Enforcement for tax information — earnings, addresses and more — about "
        "people who have been ordered to leave the United States or whom ICE is investigating. "
        "Treasury Secretary Scott Bessent and Homeland Security Secretary Kristi Noem signed it; "
        "the agencies entered into it on 7 April 2025, the day a court filing disclosed it. It "
        "says each request must be made consistent with the tax code and that ICE will ensure "
        "the proper handling, transmission, safeguarding and security of what it receives."
    ),
    "announced_on": SIGNED_ON,
    "signed_on": SIGNED_ON,
    "topics": ("immigration-enforcement", "taxpayer-privacy"),
    "aliases": (
        # The matcher compares words, not the marks between them: "IRS–ICE MOU" also finds
        # "IRS-ICE MOU" and "IRS/ICE MOU".
        ("IRS–ICE MOU", False),
        ("IRS–ICE agreement", False),
        ("IRS–ICE data-sharing agreement", False),
        ("memorandum of understanding between the IRS and ICE", False),
        ("memorandum of understanding between the IRS and DHS", False),
        ("deal between the IRS and ICE", False),
    ),
}

# (actor, role, signed_by, signed_on, sequence)
PARTIES = (
    ("irs", Party.Role.PROVIDING, None, None, 0),
    ("treasury", Party.Role.SIGNATORY, "scott-bessent", SIGNED_ON, 1),
    ("ice", Party.Role.REQUESTING, None, None, 2),
    ("dhs", Party.Role.SIGNATORY, "kristi-noem", SIGNED_ON, 3),
)

# The reactions answer the memorandum disclosed on 7 April and were reported on 8 April, so
# April 2025 is certain and the day is not. Olson's remark to the Times and Public Citizen's
# words from its lawsuit may be older than the memorandum: their dates stay unknown.
APRIL_2025 = (datetime.date(2025, 4, 1), DatePrecision.MONTH)
UNKNOWN = (None, DatePrecision.DAY)

POSITIONS = (
    {
        "actor": "treasury",
        "stance": Position.Stance.SUPPORTS,
        "summary": (
            "Says the memorandum rests on longstanding authorities from Congress that protect "
            "law-abiding Americans' privacy while helping to pursue criminals."
        ),
        "statements": (
            {
                "speaker": "treasury",
                "speaker_label": "a Treasury spokesperson",
                "text": (
                    "The bases for this (memorandum of understanding) are founded in longstanding "
                    "authorities granted by Congress, which serve to protect the privacy of "
                    "law-abiding Americans while streamlining the ability to pursue criminals"
                ),
                "said": APRIL_2025,
                "venue": "in a statement to CNN",
            },
        ),
    },
    {
        "actor": "nina-olson",
        "stance": Position.Stance.CONCERNED,
        "summary": (
            "Calls the use of IRS information to investigate and deport immigrants unprecedented."
        ),
        "statements": (
            {
                "speaker": "nina-olson",
                "text": "unprecedented",
                "said": UNKNOWN,
                "venue": "told the New York Times",
            },
        ),
    },
    {
        "actor": "jimmy-gomez",
        "stance": Position.Stance.OPPOSES,
        "summary": (
            "Calls the memorandum a backdoor deal that weaponises the IRS against immigrant "
            "families and may be illegal; vows to fight it from the Ways and Means Committee."
        ),
        "statements": (
            {
                "speaker": "jimmy-gomez",
                "text": (
                    "The IRS should NEVER be weaponized to target immigrant families. This "
                    "backdoor deal with ICE shatters decades of trust—and may be illegal"
                ),
                "said": APRIL_2025,
                "venue": "in a post on X",
            },
            {
                "speaker": "jimmy-gomez",
                "text": (
                    "I serve on the [Ways and Means Committee]. I will fight this with everything "
                    "I’ve got. No one should fear that filing taxes puts their family at risk."
                ),
                "said": APRIL_2025,
                "venue": "in a post on X",
            },
        ),
    },
    {
        "actor": "aaron-reichlin-melnick",
        "stance": Position.Stance.CONCERNED,
        "summary": (
            "Sees many questions and a possible break with earlier readings of the law, but reads "
            "the memorandum as aimed at criminal investigations, not deportation queries."
        ),
        "statements": (
            {
                "speaker": "aaron-reichlin-melnick",
                "text": (
                    "There are many questions raised about this new agreements, which seems to "
                    "violate previous understandings of the laws requiring IRS not to share "
                    "taxpayer information"
                ),
                "said": APRIL_2025,
                "venue": "in a post on X",
            },
            {
                "speaker": "aaron-reichlin-melnick",
                "text": (
                    "But at its heart it does not seem that the MOU permits ICE to ask for "
                    "taxpayer data for deportation reasons…It seems primarily to be aimed at "
                    "criminal investigations for willful failure to depart after the issuance of "
                    "a removal order, a crime on the books which (until now) is virtually never "
                    "prosecuted"
                ),
                "said": APRIL_2025,
                "venue": "in a post on X",
            },
        ),
    },
    {
        "actor": "public-citizen",
        "stance": Position.Stance.OPPOSES,
        "summary": (
            "Sued to stop the plan: it says the IRS may not hand confidential tax information "
            "to immigration enforcement on terms Congress has not set."
        ),
        "statements": (
            {
                "speaker": "public-citizen",
                "speaker_label": "Public Citizen’s attorneys",
                "text": (
                    "threatens to usurp Congress’s authority to decide when and on what terms "
                    "confidential IRS information can be used by other agencies."
                ),
                "said": UNKNOWN,
            },
        ),
    },
    {
        "actor": "bipartisan-policy-center",
        "stance": Position.Stance.NEUTRAL,
        "summary": (
            "Took no stance on the memorandum; the article cites its 2018 finding on who files "
            "tax returns with ITINs."
        ),
        "statements": (
            {
                "speaker": "bipartisan-policy-center",
                "text": (
                    "Most experts believe that the vast majority of tax returns filed with ITINs "
                    "today are filed by undocumented immigrants"
                ),
                "said": (datetime.date(2018, 1, 1), DatePrecision.YEAR),
            },
        ),
    },
)

CHALLENGE = {
    "slug": CHALLENGE_SLUG,
    "caption": "Centro de Trabajadores Unidos v. Bessent",
    "court": "us-district-court-dc",
    "docket_number": "25-cv-0677",
    # The article says only that Public Citizen had "sued" before 8 April 2025, and the docket
    # number gives only the year. Neither is a filing date, so it stays unknown.
    "filed_on": None,
    "status": LegalChallenge.Status.INJUNCTION_DENIED,
    "summary": (
        "Four nonprofits representing immigrants' interests, represented by Public Citizen, sued "
        "Treasury Secretary Scott Bessent to stop the IRS sharing confidential taxpayer "
        "information with immigration enforcement. In May 2025 Judge Dabney Friedrich denied "
        "their motion for a preliminary injunction, holding that the memorandum tracks "
        "26 U.S.C. § 6103(i)(2), the exception that lets a federal agency request tax "
        "information for a criminal investigation."
    ),
    "agreements": (AGREEMENT_SLUG,),
    "aliases": (
        ("Centro de Trabajadores Unidos v. Bessent", False),
        ("Trabajadores Unidos v. Bessent", False),
        ("25-cv-0677", False),
        ("25-cv-00677", False),
    ),
}

# (actor, role, represents, sequence). Public Citizen is counsel for all four plaintiffs.
CHALLENGE_PARTIES = (
    ("centro-de-trabajadores-unidos", ChallengeParty.Role.PLAINTIFF, (), 0),
    ("immigrant-solidarity-dupage", ChallengeParty.Role.PLAINTIFF, (), 1),
    ("somos-un-pueblo-unido", ChallengeParty.Role.PLAINTIFF, (), 2),
    ("inclusive-action-for-the-city", ChallengeParty.Role.PLAINTIFF, (), 3),
    ("scott-bessent", ChallengeParty.Role.DEFENDANT, (), 0),
    (
        "public-citizen",
        ChallengeParty.Role.COUNSEL,
        (
            "centro-de-trabajadores-unidos",
            "immigrant-solidarity-dupage",
            "somos-un-pueblo-unido",
            "inclusive-action-for-the-city",
        ),
        0,
    ),
)

# The lawsuit's filing is not on the timeline: no source gives its date (see CHALLENGE).
# The reactions sit on 8 April, the day they were reported, because their own day is unknown
# and a month-precision date would sort them before the signing they answer.
EVENTS = (
    {
        "date": SIGNED_ON,
        "kind": Event.Kind.SIGNED,
        "title": "IRS and DHS enter into the data-sharing memorandum",
        "description": (
            "Treasury Secretary Scott Bessent and Homeland Security Secretary Kristi Noem signed "
            "the memorandum under which the IRS answers ICE's requests for tax information. A "
            "court filing disclosed it the same day, a Monday."
        ),
        "agreement": True,
        "actors": ("treasury", "irs", "dhs", "ice", "scott-bessent", "kristi-noem"),
        "sourced": True,
    },
    {
        "date": datetime.date(2025, 4, 8),
        "kind": Event.Kind.REPORTED,
        "title": "Reported: the IRS will help ICE find people ordered removed",
        "description": (
            "The report describes the memorandum, its safeguards and the reactions of "
            "Treasury, advocates and lawmakers."
        ),
        "agreement": True,
        "actors": ("irs", "ice"),
        "sourced": True,
        "sequence": 0,
    },
    {
        "date": datetime.date(2025, 4, 8),
        "kind": Event.Kind.STATEMENT,
        "title": "Treasury defends the memorandum",
        "description": (
            "A Treasury spokesperson tells CNN the memorandum rests on longstanding authorities "
            "granted by Congress. Reported on 8 April 2025; the day of the statement is not given."
        ),
        "agreement": True,
        "actors": ("treasury",),
        "sourced": True,
        "sequence": 1,
    },
    {
        "date": datetime.date(2025, 4, 8),
        "kind": Event.Kind.STATEMENT,
        "title": "Rep. Jimmy Gomez vows to fight the “backdoor deal”",
        "description": (
            "In a post on X the Ways and Means member says the IRS should never be weaponised "
            "against immigrant families and that the deal may be illegal. Reported on 8 April "
            "2025; the day of the post is not given."
        ),
        "agreement": True,
        "actors": ("jimmy-gomez",),
        "sourced": True,
        "sequence": 2,
    },
    {
        "date": datetime.date(2025, 4, 8),
        "kind": Event.Kind.STATEMENT,
        "title": "Aaron Reichlin-Melnick reads the memorandum as limited to criminal cases",
        "description": (
            "The American Immigration Council senior fellow says the memorandum raises many "
            "questions but does not seem to permit requests for deportation reasons. Reported on "
            "8 April 2025; the day of the posts is not given."
        ),
        "agreement": True,
        "actors": ("aaron-reichlin-melnick",),
        "sourced": True,
        "sequence": 3,
    },
    {
        # From the public court record; no article in the demo reports it, so it is shown as
        # unsourced rather than credited to an article that does not say it.
        "date": datetime.date(2025, 5, 1),
        "date_precision": DatePrecision.MONTH,
        "kind": Event.Kind.RULING,
        "title": "Judge Friedrich denies a preliminary injunction",
        "description": (
            "Judge Dabney Friedrich denies the plaintiffs' motion for a preliminary injunction, "
            "holding that the memorandum tracks 26 U.S.C. § 6103(i)(2), the exception that lets "
            "a federal agency request tax information for a criminal investigation."
        ),
        "agreement": True,
        "challenge": True,
        "actors": ("dabney-friedrich", "us-district-court-dc"),
        "sourced": False,
    },
)


@dataclass
class DemoLoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        if not self.changed:
            return f"Demo data already loaded: {self.unchanged} records, nothing changed."
        return (
            f"Demo data: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} left as they were."
        )


class _Loader:
    def __init__(self, *, restore: bool):
        self.restore = restore
        self.result = DemoLoadResult()

    def upsert(
        self,
        model: type[models.Model],
        *,
        lookup: dict,
        values: dict | None = None,
        m2m: dict | None = None,
        on_create: dict | None = None,
    ) -> models.Model:
        """Create the record if its natural key is unknown; otherwise leave it, or restore it.

        `on_create` holds values that describe the moment of loading (when a link was
        confirmed): set once, never compared, so a second run finds nothing to change.
        """
        values = values or {}
        m2m = m2m or {}
        obj = model._default_manager.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values, **(on_create or {}))
            obj.full_clean()
            obj._change_reason = CHANGE_REASON
            obj.save()
            for name, related in m2m.items():
                getattr(obj, name).set(related)
            self.result.created += 1
            return obj
        if not self.restore:
            self.result.unchanged += 1
            return obj
        changed_fields = [name for name, value in values.items() if getattr(obj, name) != value]
        changed_m2m = [
            name for name, related in m2m.items() if set(getattr(obj, name).all()) != set(related)
        ]
        if changed_fields:
            for name in changed_fields:
                setattr(obj, name, values[name])
            obj.full_clean()
            obj._change_reason = CHANGE_REASON
            obj.save()
        for name in changed_m2m:
            getattr(obj, name).set(m2m[name])
        if changed_fields or changed_m2m:
            self.result.updated += 1
        else:
            self.result.unchanged += 1
        return obj

    def aliases(self, target_field: str, target: models.Model, aliases) -> None:
        for text, case_sensitive in aliases:
            self.upsert(
                Alias,
                lookup={target_field: target, "text": text},
                values={"case_sensitive": case_sensitive},
            )


@transaction.atomic
def load_demo_data(*, restore: bool = False) -> DemoLoadResult:
    """Write the IRS–ICE MOU demo record; all of it or, if anything fails, none of it."""
    loader = _Loader(restore=restore)
    upsert = loader.upsert

    topics = {
        t["slug"]: upsert(
            Topic,
            lookup={"slug": t["slug"]},
            values={"name": t["name"], "description": t["description"]},
        )
        for t in TOPICS
    }

    actors: dict[str, Actor] = {}
    for spec in ACTORS:
        actor = upsert(
            Actor,
            lookup={"slug": spec["slug"]},
            values={
                "kind": spec["kind"],
                "name": spec["name"],
                "description": spec["description"],
                "parent": actors[spec["parent"]] if spec.get("parent") else None,
                "website": spec.get("website", ""),
            },
        )
        loader.aliases("actor", actor, spec["aliases"])
        actors[spec["slug"]] = actor

    for person, organization, role, start, end in AFFILIATIONS:
        upsert(
            Affiliation,
            lookup={
                "person": actors[person],
                "organization": actors[organization],
                "role": role,
            },
            values={"start_date": start, "end_date": end},
        )

    outlet = upsert(
        Outlet,
        lookup={"slug": OUTLET["slug"]},
        values={k: v for k, v in OUTLET.items() if k != "slug"},
    )
    article = upsert(
        Article,
        lookup={"canonical_url": ARTICLE["canonical_url"]},
        values={**{k: v for k, v in ARTICLE.items() if k != "canonical_url"}, "outlet": outlet},
    )

    agreement = upsert(
        Agreement,
        lookup={"slug": AGREEMENT["slug"]},
        values={
            k: AGREEMENT[k]
            for k in (
                "title",
                "kind",
                "status",
                "summary",
                "announced_on",
                "signed_on",
            )
        },
        m2m={"topics": [topics[slug] for slug in AGREEMENT["topics"]]},
    )
    loader.aliases("agreement", agreement, AGREEMENT["aliases"])

    for actor, role, signed_by, signed_on, sequence in PARTIES:
        upsert(
            Party,
            lookup={"agreement": agreement, "actor": actors[actor], "role": role},
            values={
                "signed_by": actors[signed_by] if signed_by else None,
                "signed_on": signed_on,
                "sequence": sequence,
            },
        )

    matched = matched_aliases(ARTICLE_TEXT, AGREEMENT["aliases"])
    upsert(
        ArticleLink,
        lookup={"article": article, "agreement": agreement},
        values={
            "status": ArticleLink.Status.CONFIRMED,
            "matched_terms": matched,
            "snippet": next(
                p for p in ARTICLE_PARAGRAPHS if matched_aliases(p, AGREEMENT["aliases"])
            ),
            "score": 1.0,
        },
        # Confirmed by whoever loaded the demo, which has no user behind it.
        on_create={"decided_at": timezone.now()},
    )

    for spec in POSITIONS:
        position = upsert(
            Position,
            lookup={"actor": actors[spec["actor"]], "agreement": agreement},
            values={"stance": spec["stance"], "summary": spec["summary"]},
        )
        for sequence, statement in enumerate(spec["statements"]):
            said_on, precision = statement["said"]
            upsert(
                Statement,
                lookup={"position": position, "text": statement["text"]},
                values={
                    "speaker": actors[statement["speaker"]],
                    "speaker_label": statement.get("speaker_label", ""),
                    "kind": Statement.Kind.QUOTE,
                    "said_on": said_on,
                    "said_on_precision": precision,
                    "venue": statement.get("venue", ""),
                    "source": article,
                    "sequence": sequence,
                },
            )

    challenge = upsert(
        LegalChallenge,
        lookup={"slug": CHALLENGE["slug"]},
        values={
            "caption": CHALLENGE["caption"],
            "court": actors[CHALLENGE["court"]],
            "docket_number": CHALLENGE["docket_number"],
            "filed_on": CHALLENGE["filed_on"],
            "status": CHALLENGE["status"],
            "summary": CHALLENGE["summary"],
        },
        m2m={"agreements": [agreement]},
    )
    loader.aliases("challenge", challenge, CHALLENGE["aliases"])

    for actor, role, represents, sequence in CHALLENGE_PARTIES:
        upsert(
            ChallengeParty,
            lookup={"challenge": challenge, "actor": actors[actor], "role": role},
            values={"sequence": sequence},
            m2m={"represents": [actors[slug] for slug in represents]},
        )

    for spec in EVENTS:
        upsert(
            Event,
            lookup={
                "agreement": agreement if spec.get("agreement") else None,
                "challenge": challenge if spec.get("challenge") else None,
                "title": spec["title"],
            },
            values={
                "date": spec["date"],
                "date_precision": spec.get("date_precision", DatePrecision.DAY),
                "kind": spec["kind"],
                "description": spec["description"],
                "sequence": spec.get("sequence", 0),
            },
            m2m={
                "actors": [actors[slug] for slug in spec["actors"]],
                "sources": [article] if spec["sourced"] else [],
            },
        )

    return loader.result


def matched_aliases(text: str, aliases) -> list[str]:
    """The aliases that occur in `text`, honouring each one's case sensitivity."""
    folded = text.casefold()
    return [
        alias
        for alias, case_sensitive in aliases
        if (alias in text if case_sensitive else alias.casefold() in folded)
    ]
