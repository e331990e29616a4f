"""The sentence splitter on the hard cases named in DESIGN.md's claim policy."""

import pytest

from citebrief.parse.sentences import CITE, NOTE, TEXT_CITE, split_sentences


def split(text):
    return [text[a:b] for a, b in split_sentences(text)]


@pytest.mark.parametrize("text", [
    "The U.S. Department of Homeland Security said so.",
    "The order came on Nov. 25, 2025, in Denver.",
    "It was signed in Sept. 2025 by the governor.",
    "See Sec. 133 of the act for details.",
    "The count was No. 4 in the list.",
    "Dr. Smith and St. Paul were named.",
    "Some models, e.g. the jail model, are narrower.",
    "Some models, i.e. two of three, are narrower.",
    "It was added by Pub. L. 104-208 in 1996.",
    "Senior U.S. District Judge R. Brooke Jackson ruled.",
    "Growth was 3.5 percent over the year.",
    "The statute at § 1357(g) allows it.",
    "The page at ice.gov lists the models.",
    "The law … and then the memo followed.",
    "He said “Stop. Now.” and left the room.",
    "The law (see Sec. 3. It says so.) applies here.",
])
def test_one_sentence(text):
    assert split(text) == [text]


@pytest.mark.parametrize("text,expected", [
    ("One claim here. Two claim here.", ["One claim here.", "Two claim here."]),
    ("It grew in 2025. The count rose.", ["It grew in 2025.", "The count rose."]),
    ("Is it legal? Courts disagree.", ["Is it legal?", "Courts disagree."]),
    ("She said “it is over.” Then she left.", ["She said “it is over.”", "Then she left."]),
    ("It ended (in court.) Then it resumed.", ["It ended (in court.)", "Then it resumed."]),
    (f"Cited after the stop. {CITE} Next sentence.", [f"Cited after the stop. {CITE}", "Next sentence."]),
    (f"A noted claim.{NOTE} Next sentence.", [f"A noted claim.{NOTE}", "Next sentence."]),
    (f"First claim here. {TEXT_CITE} argues the second.", ["First claim here.", f"{TEXT_CITE} argues the second."]),
    (f"Trailing at the very end. {CITE}", [f"Trailing at the very end. {CITE}"]),
])
def test_several_sentences(text, expected):
    assert split(text) == expected
