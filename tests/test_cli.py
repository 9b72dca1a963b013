"""The CLI contract: ask/index/info/eval/show-by-ID and the TUI entry, with one-line errors."""

import json
import re
import subprocess
import sys

import pytest
from conftest import FIXTURES, SEED_ID, SEEDS

import cableqa
from cableqa.cli import INFO_TOP_VALUES, main

QUESTION = "How much heroin was seized at Dunkerque?"


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    directory = tmp_path_factory.mktemp("cli") / "index"
    cableqa.build([SEEDS], directory, model="hashing")
    return directory


def test_ask_json_is_the_documented_contract(index, capsys):
    assert main(["ask", QUESTION, "--index", str(index), "--json", "-k", "3"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["question"] == QUESTION and isinstance(data["confident"], bool)
    assert [hit["rank"] for hit in data["hits"]] == [1, 2, 3]
    top = data["hits"][0]
    assert top["doc_id"] == SEED_ID and top["excerpt"] in top["text"]
    for start, end in top["highlights"]:
        assert 0 <= start < end <= len(top["excerpt"])


def test_ask_explain_gives_each_features_share_of_each_score(index, capsys):
    from cableqa.ranking import FEATURES

    assert main(["ask", QUESTION, "--index", str(index), "--json", "-k", "2"]) == 0
    assert "features" not in json.loads(capsys.readouterr().out)["hits"][0]
    assert main(["ask", QUESTION, "--index", str(index), "--json", "--explain", "-k", "2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert 0.0 <= data["probability"] <= 1.0
    for hit in data["hits"]:
        assert set(hit["features"]) == set(FEATURES)
        assert sum(hit["features"].values()) == pytest.approx(hit["score"], abs=1e-3)
    assert main(["ask", QUESTION, "--index", str(index), "--explain", "-k", "1"]) == 0
    assert "cover_focus" in capsys.readouterr().out


def test_ask_prints_the_excerpt_over_an_aligned_citation(index, capsys):
    assert main(["ask", QUESTION, "--index", str(index), "-k", "2"]) == 0
    out = capsys.readouterr().out
    answer = cableqa.load(index).ask(QUESTION, k=1)
    assert answer.hits[0].excerpt.split()[0] in out
    labels = "cable|paragraph|section|subject|date|origin|class|score|probability"
    fields = re.findall(rf"^  ({labels})( +)(\S.*)$", out, re.MULTILINE)
    values = {name: value for name, _, value in fields}
    assert values["cable"] == SEED_ID and values["origin"] == "Embassy Paris"
    assert values["probability"] == f"{answer.probability:.2f}"  # once "probability0.89"
    assert len({len(name + gap) for name, gap, _ in fields}) == 1 and min(len(gap) for _, gap, _ in fields) >= 2
    assert re.search(r"^answered in \d+ ms$", out, re.MULTILINE)  # once a bare "379 ms"
    assert "Also:" in out and "2. " in out


def test_ask_a_reference_id_lists_k_of_its_sections(index, capsys):
    sections = [section.id for section in cableqa.load(index).cable(SEED_ID).sections]
    for k in ("2", "1"):
        assert main(["ask", SEED_ID, "--index", str(index), "--json", "-k", k]) == 0
        assert [hit["section_id"] for hit in json.loads(capsys.readouterr().out)["hits"]] == sections[: int(k)]
    assert main(["ask", SEED_ID, "--index", str(index), "-k", "1"]) == 0
    assert "Also:" not in capsys.readouterr().out


def test_info_reports_counts_and_model(index, capsys):
    assert main(["info", "--index", str(index), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["cables"] == 1 and info["sections"] > 5 and info["model"] == "hashing:384"
    assert info["facets"]["origin"] == [{"value": "Embassy Paris", "count": 1}]
    assert info["facets"]["year"] == [{"value": "2007", "count": 1}]
    assert set(info["facets"]) == {"origin", "tag", "classification", "year"}


@pytest.mark.parametrize("command", [["info", "--json"], ["show", SEED_ID, "--json"], ["refs", SEED_ID, "--json"]])
def test_the_index_may_be_named_before_the_command(index, command, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no index/ here: the one named must be the one read
    assert main(["--index", str(index), *command]) == 0
    assert json.loads(capsys.readouterr().out)


def test_info_lists_what_the_filters_can_take(tmp_path, capsys):
    index = tmp_path / "index"
    cableqa.build([SEEDS, FIXTURES / "cables"], index, model="hashing")
    assert main(["info", "--index", str(index)]) == 0
    out = capsys.readouterr().out
    facets = cableqa.load(index).facets()
    assert f"index     {index}/" in out
    years = facets["year"]
    assert f"years     {years[0].value}–{years[-1].value}: {years[0].value} ({years[0].count})" in out
    for name, label in (("origin", "origins"), ("tag", "tags"), ("classification", "classifications")):
        assert f"{label} ({len(facets[name])} value" in out
        top, *_ = facets[name]
        assert re.search(rf"^  {re.escape(top.value)} +{top.count}$", out, re.MULTILINE)
    shown = re.findall(r"^  \S", out.split("tags (")[1].split("\n\n")[0], re.MULTILINE)
    assert len(shown) == min(len(facets["tag"]), INFO_TOP_VALUES)
    if len(facets["tag"]) > INFO_TOP_VALUES:
        assert "the 20 with most cables (--json lists all)" in out


def test_ask_says_when_the_filters_leave_no_cable(index, capsys):
    assert main(["ask", QUESTION, "--index", str(index), "--origin", "Embassy Paris", "--since", "2011-01-01"]) == 0
    assert capsys.readouterr().out.strip() == "No cable matches the filters (origin Embassy Paris, since 2011-01-01)."


def test_show_prints_an_indexed_cable_by_reference_id(index, capsys):
    assert main(["show", SEED_ID.lower(), "--index", str(index), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    read = next(cableqa.read(SEEDS)).to_dict()
    assert shown == read


def test_index_reports_what_it_did(tmp_path, capsys):
    target = tmp_path / "index"
    assert main(["index", str(SEEDS), str(FIXTURES / "bad"), "--index", str(target), "--model", "hashing"]) == 0
    captured = capsys.readouterr()
    assert f"{target}/: built: " in captured.out
    assert "cableqa: warning: skipped" in captured.err and "empty.txt" in captured.err
    assert cableqa.load(target).cable(SEED_ID) is not None
    assert main(["index", "--index", str(target)]) == 0
    assert "already up to date" in capsys.readouterr().out
    assert main(["index", "--index", str(target), "--rebuild"]) == 0
    assert ": rebuilt: " in capsys.readouterr().out


def test_eval_scores_a_question_set(index, tmp_path, capsys):
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        json.dumps({"id": "a", "question": QUESTION, "answers": ["356 kg of heroin"]})
        + "\n"
        + json.dumps({"id": "b", "question": "Who won the 1998 World Cup?", "answers": []})
        + "\n"
    )
    assert main(["eval", str(questions), "--index", str(index), "--json"]) == 0
    metrics = json.loads(capsys.readouterr().out)[str(questions)]
    assert metrics["questions"] == 2 and metrics["hit@5"] == 1.0
    assert metrics["abstention"] in (0.0, 1.0)
    assert metrics["unanswerable_not_found"] in (0.0, 1.0) and metrics["answerable_not_found"] in (0.0, 1.0)


def test_eval_by_style_scores_each_style_apart(index, tmp_path, capsys):
    questions = tmp_path / "q.jsonl"
    items = [
        {"question": QUESTION, "answers": ["356 kg of heroin"], "style": "full"},
        {"question": "Dunkerque heroin seizure", "answers": ["356 kg of heroin"], "style": "terse"},
        {"question": "heroin seized at Dunkerque", "answers": ["356 kg of heroin"], "style": "terse"},
    ]
    questions.write_text("".join(json.dumps(item) + "\n" for item in items))
    assert main(["eval", str(questions), "--by-style", "--index", str(index), "--json"]) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert {name: value["questions"] for name, value in metrics.items()} == {
        f"{questions} · full": 1,
        f"{questions} · terse": 2,
    }


@pytest.mark.parametrize(
    "argv, message",
    [
        (["ask", "   "], "the question is empty"),
        (["ask", QUESTION, "--index", "no/such/index"], "not a cableqa index"),
        (["ask", QUESTION, "--origin", "Embassy Atlantis"], "origin 'Embassy Atlantis'"),
        (["ask", QUESTION, "--origin", "Embasy Paris"], "origin 'Embasy Paris'; did you mean 'Embassy Paris'?"),
        (["ask", QUESTION, "--since", "yesterday"], "YYYY-MM-DD"),
        (["show", "99NOWHERE1"], "99NOWHERE1 is not in the index in "),
        (["info", "--index", "no/such/index"], "does not exist"),
        (["eval", "no/such/questions.jsonl"], "cannot read question set"),
        (["index", "no/such/cables"], "does not exist"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_status_2(index, argv, message, monkeypatch, capsys, tmp_path):
    monkeypatch.chdir(tmp_path)
    if "--index" not in argv and argv[0] in ("ask", "show"):
        argv = [*argv, "--index", str(index)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("cableqa: error: ") and message in err and err.count("\n") == 1


def test_a_corrupt_index_is_a_one_line_error(tmp_path, capsys):
    broken = tmp_path / "index"
    cableqa.build([SEEDS], broken, model="hashing")
    (broken / "manifest.json").write_text("{ not json")
    assert main(["ask", QUESTION, "--index", str(broken)]) == 2
    assert "cableqa: error:" in capsys.readouterr().err


def test_no_subcommand_opens_the_tui_over_the_index(index, monkeypatch):
    opened = []
    monkeypatch.setattr(
        "cableqa.tui.run", lambda index_dir, model=None, resume=False: opened.append((index_dir, model, resume))
    )
    assert main(["--index", str(index)]) == 0
    assert main([]) == 0
    assert main(["--resume"]) == 0
    assert opened == [(str(index), None, False), ("index", None, False), ("index", None, True)]


def test_help_starts_without_heavy_imports():
    script = (
        "import sys\nfrom cableqa.cli import INFO_TOP_VALUES, main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'faiss', 'onnxruntime', 'textual', 'numpy', 'ray')"
        " if m in sys.modules), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stderr.strip().endswith("[]")


def test_index_device_cuda_without_a_gpu_fails_before_reading(tmp_path, monkeypatch, capsys):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    index = tmp_path / "index"
    argv = ["index", str(SEEDS), "--index", str(index), "--model", "hashing"]
    assert main([*argv, "--device", "cuda"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no CUDA GPU" in err
    assert not (index / "manifest.json").exists()
    assert main([*argv, "--device", "cpu"]) == 0
    assert (index / "manifest.json").exists()


def test_indexing_what_holds_no_cable_is_one_line_exit_2_and_writes_nothing(tmp_path, capsys):
    """It once printed "built: 0 cables … 4 skipped", a warning per file, and exited 0."""
    notes = tmp_path / "notes"
    notes.mkdir()
    for name in ("a.txt", "b.txt", "c.txt", "d.txt"):
        (notes / name).write_text("Remember to buy milk.\n")
    target = tmp_path / "index"
    assert main(["index", str(notes), "--index", str(target), "--model", "hashing"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert err == (
        f"cableqa: error: no cable in {notes} (4 files, none of them a cable; {notes}/a.txt: no cable header"
        " (SUBJECT, TAGS, DE line, date-time group) or classified paragraph found); no index was written\n"
    )
    assert not target.exists()


def test_an_update_that_would_leave_no_cable_keeps_the_index(sources, tmp_path, capsys):
    target = tmp_path / "index"
    assert main(["index", str(sources), "--index", str(target), "--model", "hashing"]) == 0
    capsys.readouterr()
    for path in sources.iterdir():  # emptied, a file would keep its cables (it could not be read this time)
        path.unlink()
    assert main(["index", "--index", str(target)]) == 2
    assert capsys.readouterr().err.endswith("; the index is unchanged\n")
    assert cableqa.load(target).cable(SEED_ID) is not None


def test_asking_an_index_that_holds_no_cable_says_so(tmp_path, capsys, monkeypatch):
    """Such an index (an older cableqa built them) once answered "Nothing in the index matches this question"."""
    from cableqa.store.writing import IndexWriter

    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("Remember to buy milk.\n")
    with monkeypatch.context() as patch:
        patch.setattr(IndexWriter, "holds_cables", lambda self: True)
        cableqa.build([empty], tmp_path / "index", model="hashing")
    assert main(["ask", QUESTION, "--index", str(tmp_path / "index")]) == 2
    assert capsys.readouterr() == (
        "",
        f"cableqa: error: the index in {tmp_path}/index/ holds no cables;"
        f" index some with `cableqa index CABLES --index {tmp_path}/index`\n",
    )


def test_help_says_that_cableqa_alone_opens_the_chat(capsys):
    with pytest.raises(SystemExit) as exit:
        main(["--help"])
    assert exit.value.code == 0
    assert "`cableqa` alone opens the chat" in " ".join(capsys.readouterr().out.split())


def test_an_id_the_index_lacks_names_the_index_folder(index, capsys):
    """It once said "09DOHA214 is not in the index index"."""
    for command in ("refs", "related"):
        assert main([command, "09DOHA214", "--index", str(index)]) == 2
        assert capsys.readouterr().err == f"cableqa: error: 09DOHA214 is not in the index in {index}/\n"
