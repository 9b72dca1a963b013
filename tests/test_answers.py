"""Integration: the real model on the real seed cable answers with the right words, cited.

These questions are our own (not the dev set's); each names a span the top excerpt
must contain, so a regression in sectioning, retrieval or excerpt choice fails here.
"""

import json
import subprocess
import sys

import pytest
from conftest import REPO, SEED_ID

pytestmark = pytest.mark.model

ANSWERED = [
    ("What was found on a sailing boat in the English Channel?", "600 kg of cocaine"),
    ("How much cannabis resin did customs agents seize in Montpellier?", "618 kg of resin of cannabis"),
    ("Where was the record heroin seizure made?", "Dunkerque"),
    ("What penalties does French law set for cannabis use?", "up to a year prison"),
    ("How much cash in drug proceeds did OCRTIS seize in March 2007?", "1.3 million dollars"),
    ("Which countries form the Martinique Task Force?", "Spain, Colombia and the UK"),
]

NOT_ANSWERED = [
    "Who won the 1998 football World Cup?",
    "How many nuclear warheads does Pakistan have?",
    "What is the recipe for French onion soup?",
]


@pytest.mark.parametrize("question, span", ANSWERED)
def test_the_top_excerpt_holds_the_answer(real_seed_assistant, question, span):
    answer = real_seed_assistant.ask(question)
    top = answer.hits[0]
    assert top.doc_id == SEED_ID
    assert span.lower() in " ".join(top.excerpt.split()).lower()


def test_answers_are_more_likely_than_questions_the_cable_does_not_answer(real_seed_assistant):
    """Confidence is calibrated, so a right answer may fall short of "confident"; but every
    right answer here is likelier than every question the seed does not answer."""
    answered = [real_seed_assistant.ask(question).probability for question, _ in ANSWERED]
    not_answered = [real_seed_assistant.ask(question).probability for question in NOT_ANSWERED]
    assert min(answered) > max(not_answered)


@pytest.mark.parametrize("question", NOT_ANSWERED)
def test_questions_the_cable_does_not_answer_are_not_confident(real_seed_assistant, question):
    answer = real_seed_assistant.ask(question)
    assert not answer.confident
    assert answer.hits, "the nearest passages are still offered"


def test_a_long_section_is_found_by_its_last_sentences(real_seed_assistant):
    """'Law Enforcement Efforts' is longer than the model reads; its end must still be found."""
    answer = real_seed_assistant.ask("Where was the truck carrying over 2 tons of cannabis resin seized in October?")
    top = answer.hits[0]
    assert top.section.endswith("Law Enforcement Efforts")
    assert "Arras" in top.excerpt
    assert top.text.index("Arras") > len(top.text) // 2


def test_query_path_runs_without_torch(real_seed_index):
    """Asking uses the ONNX export: a cold `cableqa ask` never imports torch (nor ray)."""
    script = (
        "import sys, cableqa\n"
        f"qa = cableqa.load({str(real_seed_index)!r}, build_missing=False)\n"
        "print(qa.ask('How much heroin was seized at Dunkerque?').hits[0].doc_id)\n"
        "print('torch' in sys.modules, 'sentence_transformers' in sys.modules, 'ray' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=REPO)
    assert result.stdout.split() == [SEED_ID, "False", "False", "False"]


def test_cli_json_answer_with_the_real_model(real_seed_index):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "cableqa",
            "ask",
            "How much heroin was seized at Dunkerque?",
            "--json",
            "--index",
            str(real_seed_index),
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    top = json.loads(result.stdout)["hits"][0]
    assert top["doc_id"] == SEED_ID and "356 kg of heroin" in top["excerpt"]


def test_a_run_in_head_is_never_the_cited_text(real_seed_assistant):
    hit = real_seed_assistant.ask("What does the Road Ahead say about the Dublin Group?").hits[0]
    assert hit.section.endswith("The Road Ahead")
    assert not hit.excerpt.startswith("The Road Ahead")
    assert "Dublin" in hit.excerpt
