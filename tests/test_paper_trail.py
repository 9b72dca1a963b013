"""The reference graph in the index: edges stored and kept current, the API, the CLI, and the
preference for cables citing a reference a question names (fake "hashing" encoder)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, SEEDS

import cableqa
from cableqa import assistant as assistant_module
from cableqa.cli import main
from cableqa.errors import CableQAError
from cableqa.index_files import MANIFEST, open_index
from cableqa.types import CableLink

# 09DOHA214 and 09STOCKHOLM194 cite 09STATE15113; 09PARIS264 cites 09PARIS119 (those two are in cables/)
THREADS = FIXTURES / "threads"
CITED = [FIXTURES / "cables" / "09STATE15113.html", FIXTURES / "cables" / "09PARIS119.html"]
STATE_CABLE = "09STATE15113"


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("threads") / "index"
    cableqa.build([THREADS, *CITED, SEEDS], directory, model="hashing")
    return directory


@pytest.fixture(scope="module")
def qa(index):
    return cableqa.load(index, build_missing=False)


def copy_threads(folder: Path, *doc_ids: str) -> None:
    folder.mkdir(exist_ok=True)
    for doc_id in doc_ids:
        source = next(path for path in (THREADS / f"{doc_id}.html", *CITED) if path.stem == doc_id and path.exists())
        shutil.copy(source, folder / f"{doc_id}.html")


def test_edges_follow_the_cables_in_the_index(tmp_path):
    cables, index = tmp_path / "cables", tmp_path / "index"
    copy_threads(cables, "09DOHA214", "09STOCKHOLM194")
    cableqa.build([cables], index, model="hashing")
    first = cableqa.load(index).references("09DOHA214")[0]
    assert first == CableLink("A", STATE_CABLE, False, "", None)

    copy_threads(cables, STATE_CABLE)  # the cited cable arrives later
    report = cableqa.build([cables], index, model="hashing")
    assert report.files_read == 1 and report.files_unchanged == 2  # the citing cables are not read again
    qa = cableqa.load(index)
    first = qa.references("09DOHA214")[0]
    assert (first.doc_id, first.indexed, first.date[:10]) == (STATE_CABLE, True, "2009-02-18")
    assert first.subject == qa.cable(STATE_CABLE).subject
    assert [(link.label, link.doc_id) for link in qa.cited_by(STATE_CABLE)] == [
        ("", "09STOCKHOLM194"),  # 2009-03-20, its REF line has no letters
        ("A", "09DOHA214"),  # 2009-03-26
    ]

    (cables / "09DOHA214.html").unlink()  # a cable removed takes its edges along
    cableqa.build([cables], index, model="hashing")
    qa = cableqa.load(index)
    assert [link.doc_id for link in qa.cited_by(STATE_CABLE)] == ["09STOCKHOLM194"]
    edges = open_index(index).store.reference_edges()
    assert {citing for citing, *_ in edges} == {"09STOCKHOLM194", STATE_CABLE}


def test_an_index_of_the_previous_format_is_refused(index, tmp_path):
    old = tmp_path / "old"
    shutil.copytree(index, old)
    manifest = json.loads((old / MANIFEST).read_text())
    manifest["format"] = 1
    (old / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(CableQAError, match=r"cableqa index --rebuild"):
        open_index(old)


def test_references_and_cited_by_carry_label_id_indexed_subject_and_date(qa):
    links = qa.references("09paris264 ")
    assert [(link.label, link.doc_id, link.indexed) for link in links] == [
        ("A", "09STATE6516", False),
        ("B", "09PARIS119", True),
        ("C", "08PARIS2016", False),
        ("D", "09VILNIUS88", False),
    ]
    assert links[1].subject == qa.cable("09PARIS119").subject and links[1].date.startswith("2009-01-27")
    assert qa.cited_by("09PARIS119") == [
        CableLink(
            "B", "09PARIS264", True, links[1].subject and qa.cable("09PARIS264").subject, qa.cable("09PARIS264").date
        )
    ]
    with pytest.raises(CableQAError, match="09NOWHERE1 is not in the index"):
        qa.references("09NOWHERE1")


def test_related_excludes_the_cable_and_what_it_cites(qa):
    related = qa.related("09PARIS264", k=3)
    assert len(related) == 3
    assert {"09PARIS264", "09PARIS119"}.isdisjoint(cable.doc_id for cable in related)
    assert [cable.similarity for cable in related] == sorted((cable.similarity for cable in related), reverse=True)
    everything = qa.related("09PARIS264", k=10)
    assert len(everything) == 6 - 2  # every other indexed cable, no more
    assert everything[:3] == related
    with pytest.raises(CableQAError, match="k must be at least 1"):
        qa.related("09PARIS264", k=0)


def test_hits_count_indexed_references_both_ways(qa):
    answer = qa.ask(STATE_CABLE)  # the whole cable
    assert (answer.hits[0].cites, answer.hits[0].cited_by) == (0, 2)
    paris = qa.ask("Guantanamo detainees France EU position", k=5, doc_id="09PARIS264")
    assert (paris.hits[0].cites, paris.hits[0].cited_by) == (1, 0)
    assert paris.to_dict()["hits"][0]["cites"] == 1


QUESTION = "What did the posts report on the demarche in STATE 15113?"


def test_a_question_naming_a_reference_prefers_its_thread(qa, monkeypatch):
    thread = {"09DOHA214", "09STOCKHOLM194", STATE_CABLE}  # the cables citing it, and itself

    def ranked_first(hits) -> list[bool]:
        return [hit.doc_id in thread for hit in hits]

    hits = qa.ask(QUESTION, k=12).hits
    first = ranked_first(hits)
    assert first == sorted(first, reverse=True) and {"09DOHA214", "09STOCKHOLM194"} <= {h.doc_id for h in hits}
    monkeypatch.setattr(assistant_module.paper_trail, "thread_of_question", lambda index, question: set())
    first = ranked_first(qa.ask(QUESTION, k=12).hits)
    assert first != sorted(first, reverse=True)


def test_cli_refs_json_is_the_documented_contract(index, capsys):
    assert main(["refs", STATE_CABLE.lower(), "--index", str(index), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["doc_id"] == STATE_CABLE
    assert data["references"] == [{"label": "", "doc_id": "09STATE6461", "indexed": False, "subject": "", "date": None}]
    assert [(link["label"], link["doc_id"], link["indexed"]) for link in data["cited_by"]] == [
        ("", "09STOCKHOLM194", True),
        ("A", "09DOHA214", True),
    ]
    assert all(link["subject"] and link["date"] for link in data["cited_by"])


def test_cli_refs_and_related_text(index, capsys):
    assert main(["refs", "09PARIS264", "--index", str(index)]) == 0
    out = capsys.readouterr().out
    assert "09PARIS264 cites 4, is cited by 0 indexed cables" in out
    assert "  A  09STATE6516          not indexed" in out
    assert "  B  09PARIS119           2009-01-27  FRANCE SEEKING" in out
    assert main(["related", "09PARIS264", "-k", "2", "--index", str(index), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["doc_id"] == "09PARIS264" and len(data["related"]) == 2
    assert set(data["related"][0]) == {"doc_id", "subject", "date", "similarity"}


@pytest.mark.parametrize("command", ["refs", "related"])
def test_cli_unknown_cable_is_one_line_and_exit_2(index, capsys, command):
    assert main([command, "09NOWHERE1", "--index", str(index)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cableqa: error: 09NOWHERE1 is not in the index") and err.count("\n") == 1


def test_a_cable_named_by_its_file_is_found_by_that_id_in_any_case(tmp_path, capsys):
    """Issue 19 row 7: `refs`, `related`, `references()` and `cited_by()` upper-cased every ID, so
    the cable of field_notes.txt was "not in the index"; `show` and `ask` matched it."""
    cables, index = tmp_path / "cables", tmp_path / "index"
    copy_threads(cables, STATE_CABLE, "09DOHA214")
    notes = "R 201200Z MAR 09\nSUBJECT: NOTES ON THE DEMARCHE\nREF: SECSTATE 15113\n\n1. (C) Notes on detainees.\n"
    for name in ("field_notes", "Été"):
        (cables / f"{name}.txt").write_text(notes)
    cableqa.build([cables], index, model="hashing")
    qa = cableqa.load(index)
    for given, stored in (("field_notes", "field_notes"), (" FIELD_NOTES ", "field_notes"), ("éTÉ", "Été")):
        assert [link.doc_id for link in qa.references(given)] == [STATE_CABLE]
        assert qa.cited_by(given) == [] and qa.cable(given).doc_id == stored
        assert STATE_CABLE not in {cable.doc_id for cable in qa.related(given)}
        assert qa.ask("detainees", doc_id=given.strip()).hits[0].doc_id == stored
    assert {link.doc_id for link in qa.cited_by(STATE_CABLE.lower())} == {"field_notes", "Été", "09DOHA214"}
    for command in ("refs", "related"):
        assert main([command, "FIELD_NOTES", "--index", str(index), "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["doc_id"] == "field_notes"


def test_a_long_cable_has_related_cables_though_its_own_windows_are_the_nearest(tmp_path):
    """Issue 19 row 8: a 400 KB cable (402 windows) had no related cable: its own windows filled
    every window searched for the cables nearest it."""
    from cableqa.paper_trail import RELATED_POOL_MIN, RELATED_POOL_PER_RESULT, WINDOWS_PER_CABLE

    cables, index = tmp_path / "cables", tmp_path / "index"
    copy_threads(cables, STATE_CABLE, "09DOHA214", "09STOCKHOLM194")
    words = "detainees transfer position union government ministry talks resettlement legal review".split()
    sentence = lambda n: " ".join(words[(n * 7 + i) % len(words)] for i in range(12)).capitalize() + "."  # noqa: E731
    paragraphs = [f"{n}. (C) " + " ".join(sentence(n + i) for i in range(6)) for n in range(1, 601)]
    header = "R 201200Z MAR 09\nC O N F I D E N T I A L PARIS 000999\nSUBJECT: ON DETAINEES\n\n"
    (cables / "09PARIS999.txt").write_text(header + "\n\n".join(paragraphs))
    cableqa.build([cables], index, model="hashing")
    qa = cableqa.load(index)
    assert RELATED_POOL_PER_RESULT * 3 <= RELATED_POOL_MIN  # k=3 searches the fewest windows
    own_windows = qa.index.store.window_vectors_of("09PARIS999", qa.index.manifest.dimension)
    assert len(own_windows) > RELATED_POOL_MIN * WINDOWS_PER_CABLE
    assert {cable.doc_id for cable in qa.related("09PARIS999", k=3)} == {STATE_CABLE, "09DOHA214", "09STOCKHOLM194"}
