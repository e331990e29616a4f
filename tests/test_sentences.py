"""The sentence splitter on the hard cases named in DESIGN.md's claim policy."""

import pytest

from citebrief.parse.sentences import CITE, NOTE, TEXT_CITE, split_sentences


def split(text, lang=""):
    return [text[a:b] for a, b in split_sentences(text, lang)]


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
    "See Eq. 4 for the rate used here.",
    "As Fig. 3 shows, the count rose.",
    "The jail held approx. 300 people.",
    "Jail model vs. task force model.",
    "Some data—e.g. 3D scans—are large.",
    "Agreements (cf. Fig. 2) grew fast.",
])
def test_one_sentence(text):
    assert split(text) == [text]


@pytest.mark.parametrize("lang,text", [
    ("es", "La Dra. Pérez y el Mtro. Ruiz hablaron con el Sr. Gómez."),
    ("es-MX", "Según la Lic. Ortega, el convenio sigue vigente."),
    ("fr", "Mme Leroy et M. Martin ont signé l'accord, env. 30 pages."),
    ("fr-CA", "Le rapport (chap. 3) le dit clairement."),
    ("de", "Am 3. Oktober sprach Prof. Müller, z.B. über Nr. 4."),
    ("de-AT", "Die Stadt hat ca. 300 Beamte, vgl. Abb. 2."),
])
def test_one_sentence_in_the_brief_language(lang, text):
    assert split(text, lang) == [text]


@pytest.mark.parametrize("lang,text,expected", [
    ("es", "Dijo que no. ¿Quién lo sabe? Nadie.", ["Dijo que no.", "¿Quién lo sabe?", "Nadie."]),
    ("fr", "Il a dit : « Non. » Puis il est parti.", ["Il a dit : « Non. »", "Puis il est parti."]),
    ("de", "Das war 2025. Dann kam die Prüfung.", ["Das war 2025.", "Dann kam die Prüfung."]),
    ("", "La Dra. Pérez habló.", ["La Dra.", "Pérez habló."]),     # without lang: English only
])
def test_sentences_in_the_brief_language(lang, text, expected):
    assert split(text, lang) == expected


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
