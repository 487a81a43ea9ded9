"""Training: deterministic fits, grouped folds that keep a fact on one side, thresholds by rule."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.answering.answerer import DefaultAnswerer, finish, pick
from assistant.answering.learned import Models
from assistant.answering.ranker import Ranker
from assistant.errors import ConfigurationError
from assistant.evaluation.dataset import Question
from assistant.indexing.builder import build_index
from assistant.pipeline import Pipeline
from assistant.retrieval.embeddings import HashingEmbeddings
from assistant.settings import Settings
from assistant.training import procedure
from assistant.training.evaluate import (
    Outcome,
    choose_threshold,
    fold_outcomes,
    grouped_folds,
    leave_one_document_out,
    metrics_at,
    reachable,
)
from assistant.training.fit import _sampled, fit_listwise, fit_ranker
from assistant.training.items import Item, half_unit, load_sets, prepare
from assistant.training.procedure import apply, fit_models, read_all
from assistant.training.procedure import folds_by_group as procedure_folds
from assistant.training.report import ALL_ANSWERABLE, ceiling, firing, write_report
from tests.conftest import DOCUMENTS

pytest.importorskip("sklearn")
pytest.importorskip("lightgbm")  # the train extra (in dev): every fit_models fits a listwise model
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    """Questions of a training set → cases read over the real documents (hashing embedder)."""
    root = tmp_path_factory.mktemp("train")
    shutil.copytree(DOCUMENTS, root / "documents")
    settings = Settings(data_dir=root, embedder="hashing", _env_file=None)
    build_index(settings, HashingEmbeddings(), progress=False, log=lambda m: None)
    pipeline = Pipeline(settings, HashingEmbeddings())

    def read(name: str, answerable: int, unanswerable: int):
        questions = load_sets([ROOT / "eval" / "datasets" / "train" / name])
        none = [q for q in questions if q.type == "unanswerable"][:unanswerable]
        questions = [q for q in questions if q.type != "unanswerable"][:answerable] + none
        return read_all(prepare(questions, pipeline, DefaultAnswerer(settings), progress=False), progress=False)

    return read


@pytest.fixture(scope="module")
def cases(reader):
    return reader("tra-vinh-ke-hoach-ktxh-tttt-2021.jsonl", 40, 8)


def test_fits_are_deterministic(cases, tmp_path):
    small = {"max_iter": 15}
    first, second = fit_models(cases, inner=2, trees=small), fit_models(cases, inner=2, trees=small)
    first.save(tmp_path / "a")
    second.save(tmp_path / "b")
    for name in ("classifier.json", "figures.json", "numeric.json", "sentences.json", "listwise.json", "manifest.json"):
        assert json.loads((tmp_path / "a" / name).read_text()) == json.loads((tmp_path / "b" / name).read_text())
    # what the answerability head knows: the documents the questions were written from, and no other
    loaded = Models.load(tmp_path / "a")
    assert loaded.seen_documents == first.seen_documents
    assert len(first.seen_documents) == 1 and "answerable" in loaded.classifier.heads


def test_the_numeric_model_reads_the_listwise_models_out_of_fold_scores(cases, tmp_path, monkeypatch):
    fitted: list[tuple[set[int], object]] = []  # the candidates each listwise model was fitted on

    def recording(rows, labels, sizes, features, trees=None):
        model = fit_listwise(rows, labels, sizes, features, trees)
        fitted.append(({id(r) for r in rows}, model))
        return model

    monkeypatch.setattr(procedure, "fit_listwise", recording)
    models = fit_models(cases, inner=2, trees={"max_iter": 15})
    assert len(fitted) == 3 and models.listwise is fitted[-1][1] and models.listwise.trees
    assert {"listwise", "listwise_gap"} <= set(models.numeric.features)
    assert not {"listwise", "listwise_gap"} & set(models.listwise.features)  # it never reads itself
    # every training candidate's score is from an inner model that was not fitted on it, exactly
    for case in cases:
        rows = [c.features for c in case.reading.numeric]
        if not rows:
            continue
        (model,) = [m for seen, m in fitted[:-1] if not seen & {id(r) for r in rows}]
        expected = model.raw(model.matrix(rows))
        assert [r["listwise"] for r in rows] == expected.tolist()
        assert [r["listwise_gap"] for r in rows] == (expected - expected.max()).tolist()
    # answering sets them from the saved listwise model
    models.save(tmp_path / "m")
    loaded = Models.load(tmp_path / "m")
    apply(cases, loaded)
    case = next(c for c in cases if len(c.reading.numeric) > 1)
    rows = [c.features for c in case.reading.numeric]
    assert [r["listwise"] for r in rows] == models.listwise.raw(models.listwise.matrix(rows)).tolist()
    # a numeric model that reads listwise scores is refused without its listwise model
    (tmp_path / "m" / "listwise.json").unlink()
    with pytest.raises(ConfigurationError, match="listwise.json"):
        Models.load(tmp_path / "m")


def test_models_without_a_listwise_model_remove_a_stale_one_and_read_as_before(cases, tmp_path, monkeypatch):
    models = fit_models(cases, inner=2, trees={"max_iter": 10})
    models.save(tmp_path / "m")
    plain = fit_models(cases, inner=2, trees={"max_iter": 10}, listwise=False)
    assert plain.listwise is None and "listwise" not in plain.numeric.features
    plain.save(tmp_path / "m")
    assert not (tmp_path / "m" / "listwise.json").exists()
    assert Models.load(tmp_path / "m").listwise is None
    models.listwise.save(tmp_path / "m" / "listwise.json")  # left there by hand: not read
    assert Models.load(tmp_path / "m").listwise is None


def test_a_listwise_model_orders_candidates_within_each_question():
    rows, labels, sizes = [], [], []
    rng = np.random.default_rng(0)
    for q in range(120):  # the right candidate has the question's highest "sim"; its level varies
        level = rng.normal(0, 1)
        sims = level + rng.normal(0, 0.3, size=8)
        right = int(np.argmax(sims))
        rows += [{"sim": float(v), "noise": float(rng.normal())} for v in sims]
        labels += [k == right for k in range(8)]
        sizes.append(8)
    model = fit_listwise(rows, labels, sizes, ["noise", "sim"], {"max_iter": 30})
    scores = model.raw(model.matrix(rows)).reshape(120, 8)
    chosen = scores.argmax(axis=1)
    assert (np.asarray(labels).reshape(120, 8)[np.arange(120), chosen]).mean() > 0.9
    with pytest.raises(ValueError, match="add up"):
        fit_listwise(rows, labels, sizes[:-1], ["noise", "sim"])
    assert not fit_listwise(rows[:8], [False] * 8, [8], ["sim"]).trees  # nothing to order


def test_training_without_lightgbm_or_its_openmp_runtime_says_what_to_install(monkeypatch, tmp_path):
    import builtins
    import sys

    from typer.testing import CliRunner

    from assistant.cli import app

    monkeypatch.setitem(sys.modules, "lightgbm", None)  # not installed
    with pytest.raises(ConfigurationError) as error:
        fit_listwise([{"a": 1.0}, {"a": 0.0}], [True, False], [2], ["a"])
    assert "lightgbm" in error.value.message and ".[train]" in str(error.value.hint)
    # `assistant train` says so before reading any question (here: a set that does not exist)
    result = CliRunner().invoke(app, ["train", str(tmp_path / "none.jsonl"), "--report", str(tmp_path / "r")])
    assert result.exit_code == 2 and "lightgbm" in result.output and "make openmp" in result.output
    assert not (tmp_path / "r").exists()
    # installed, but its library cannot load libgomp.so.1 (Debian's libgomp1 missing)
    monkeypatch.delitem(sys.modules, "lightgbm")
    real_import = builtins.__import__

    def without_openmp(name, *args, **kwargs):
        if name == "lightgbm":
            raise OSError("libgomp.so.1: cannot open shared object file: No such file or directory")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_openmp)
    with pytest.raises(ConfigurationError) as error:
        fit_listwise([{"a": 1.0}, {"a": 0.0}], [True, False], [2], ["a"])
    assert "libgomp.so.1" in error.value.message and "libgomp1" in str(error.value.hint)


def test_a_listwise_model_refuses_missing_feature_values():
    rows = [{"a": float("nan")}, {"a": 0.0}]
    with pytest.raises(ValueError, match="finite"):
        fit_listwise(rows, [True, False], [2], ["a"])


def test_some_questions_are_also_learnt_without_similarities_and_never_evaluated_so(cases):
    copies = [c for c in cases if c.item.augmented]
    originals = {c.item.gold.id: c for c in cases if not c.item.augmented}
    assert 0 < len(copies) < len(originals)
    for copy in copies:  # the same question and passages, read without its embedding
        original = originals[copy.item.gold.id]
        assert copy.item.analysis.vector is None and copy.item.hits == original.item.hits
        assert copy.item.group == original.item.group  # on the same side of every fold
    folds = grouped_folds(cases, 5)  # (not 2: the inner folds of fit_models use the same hash, mod 2)
    held = fold_outcomes(
        cases, folds, sorted(set(folds)), fit=lambda train: fit_models(train, inner=2, trees={"max_iter": 10})
    )
    assert len(held) == len(originals) and not any(cases[i].item.augmented for i in held)


def test_a_fact_never_sits_on_both_sides(cases):
    folds = grouped_folds(cases, 5)
    side: dict[str, int] = {}
    for case, fold in zip(cases, folds):
        assert side.setdefault(case.item.group, fold) == fold
    assert len(set(folds)) > 1


def test_the_classifier_features_come_from_a_classifier_that_never_saw_the_question(cases, reader, monkeypatch):
    """Every training question is classified once, by a classifier fitted without its fact; about half
    of them (when there are several documents) by one fitted without any question on their document."""
    import assistant.training.procedure as procedure

    fitted_on: dict[int, tuple] = {}
    classified: list[tuple[object, int]] = []
    real_fit, real_classify = procedure.fit_classifier, procedure._classify

    def fit(items):
        clf = real_fit(items)
        fitted_on[id(clf)] = (clf, items)  # (the classifier kept alive: its id is never reused)
        return clf

    def classify(some, clf, seen=frozenset()):
        classified.extend((c, id(clf)) for c in some)
        return real_classify(some, clf, seen)

    monkeypatch.setattr(procedure, "fit_classifier", fit)
    monkeypatch.setattr(procedure, "_classify", classify)
    other = reader("tra-vinh-qd-2063-ung-dung-cntt-2020.jsonl", 24, 4)
    # a fact asked of both documents (as some training sets do) is held out of both sides' classifiers
    shared = next(c for c in cases if procedure._document_held(c)).item.group
    other[0] = dataclasses.replace(other[0], item=dataclasses.replace(other[0].item, group=shared))
    both = cases + other
    for group, several in ((cases, False), (both, True)):
        classified.clear()
        procedure._classify_out_of_fold(group, *_parts(group, 2))
        assert sorted(id(c) for c, _ in classified) == sorted(id(c) for c in group)  # each exactly once
        held = 0
        for case, clf in classified:
            seen = fitted_on[clf][1]
            assert case.item.group not in {it.group for it in seen}
            held += case.item.document not in {it.document for it in seen}
        if several:
            assert 0.3 < held / len(group) < 0.7
        else:  # one document: a classifier without it would have seen nothing
            assert held == 0


def _parts(cases, k):
    folds = procedure_folds(cases, k)
    return [[c for c, f in zip(cases, folds) if f == i] for i in range(k)], [
        [c for c, f in zip(cases, folds) if f != i] for i in range(k)
    ]


def _gold(kind: str):
    return type("G", (), {"type": kind})()


def test_threshold_keeps_false_abstention_at_most_three_percent():
    results = [Outcome(_gold("number"), "d.txt", None, 0.1 + 0.8 * i / 99, i % 4 != 0, 0.5, None) for i in range(100)]
    results += [Outcome(_gold("unanswerable"), "d.txt", None, 0.05 + 0.1 * i / 19, False, 0.1, None) for i in range(20)]
    t = choose_threshold(results)
    answerable = [o for o in results if o.answerable]
    assert sum(o.best < t for o in answerable) / len(answerable) <= 0.03
    assert t > 0.05  # some unanswerable questions are then refused


def test_a_question_the_documents_seldom_answer_needs_a_surer_candidate(cases):
    models = fit_models(cases, inner=2, trees={"max_iter": 15})
    apply(cases, models)
    answered = 0
    for case in cases:
        it, q = case.item, case.reading.question
        kept = q.unanswerable, q.unanswerable_known
        q.unanswerable = 0.0
        try:
            answered += _needs_a_surer_candidate(it, case)
        finally:
            q.unanswerable, q.unanswerable_known = kept
    assert answered > len(cases) // 2


def _needs_a_surer_candidate(it, case) -> bool:
    """With the documents as likely as not to answer, the candidate that answered at its own score
    no longer does, and the same answer comes at half the threshold."""
    q = case.reading.question
    free = finish(it.ctx, case.reading, it.hits, 0.0)
    chosen = pick(it.ctx, case.reading, 0.0)[0]
    if chosen is None or chosen.score <= 0:
        return False
    just = chosen.score
    assert not finish(it.ctx, case.reading, it.hits, just).abstained
    q.unanswerable, q.unanswerable_known = 0.5, frozenset(d.sha256 for d in it.ctx.data.documents.values())
    assert finish(it.ctx, case.reading, it.hits, just).abstained
    assert finish(it.ctx, case.reading, it.hits, just / 2).answer == free.answer
    q.unanswerable_known = frozenset()  # documents the head never saw: the score decides alone
    assert finish(it.ctx, case.reading, it.hits, just).answer == free.answer
    return True


def _item(**gold) -> Item:
    fields = {"id": "t-1", "doc": "d.txt", "question": "?", "answer": "", "evidence": [], "difficulty": "easy"}
    return Item(Question(**(fields | gold)), "?", "t-1", [], None, None)


def test_a_calculation_is_right_for_a_stated_figure_only_when_it_gives_that_figure():
    """The contract's 1 % accepts "1.222 − 2 = 1.220" for a stated 1.222; training must not learn
    such a calculation as right (a figure within 1 % still is: the documents round differently)."""
    stated = _item(type="number", value=1222.0)
    assert stated.numeric_right(1220.0) and not stated.calculation_right(1220.0)
    assert stated.calculation_right(1222.0) and stated.calculation_right(1222.4)
    share = _item(type="percent", value=15.66)
    assert share.calculation_right(15.6578) and not share.calculation_right(15.67)
    computed = _item(type="computed", value=81.0, calculation="1222 / 1508 * 100")
    assert computed.calculation_right(81.03) and computed.calculation_right(80.5)
    assert not computed.calculation_right(79.0)


@pytest.mark.parametrize(
    ("value", "half"),
    [(1222.0, 0.5), (15.66, 0.005), (95.0, 0.5), (0.5, 0.05), (31888.142, 0.0005), (123456789.125, 0.0005)],
)
def test_half_unit_of_the_last_decimal(value, half):
    assert half_unit(value) == pytest.approx(half, abs=2e-9)


def test_leave_one_document_out_answers_each_document_with_models_that_never_saw_it(reader):
    cases = reader("tra-vinh-ke-hoach-ktxh-tttt-2021.jsonl", 16, 4) + reader(
        "tra-vinh-qd-2063-ung-dung-cntt-2020.jsonl", 16, 4
    )
    documents = {c.item.document for c in cases}
    trained_on = []

    def fit(train):
        trained_on.append({c.item.document for c in train})
        return fit_models(train, inner=2, trees={"max_iter": 10})

    outcomes, metrics = leave_one_document_out(cases, 0.1, fit=fit)
    assert len(trained_on) == 2 and all(len(seen) == 1 for seen in trained_on) and set.union(*trained_on) == documents
    asked = [c for c in cases if not c.item.augmented]
    assert len(outcomes) == len(asked) == metrics["all"]["n"]
    assert set(metrics["by_document"]) == documents
    for doc, m in metrics["by_document"].items():
        assert m["n"] == sum(c.item.document == doc for c in asked) and m["threshold"] == 0.1


def test_leave_one_document_out_of_chosen_documents_trains_on_every_other(reader):
    cases = reader("tra-vinh-ke-hoach-ktxh-tttt-2021.jsonl", 12, 3) + reader(
        "tra-vinh-qd-2063-ung-dung-cntt-2020.jsonl", 12, 3
    )
    held = "tra-vinh-qd-2063-ung-dung-cntt-2020.txt"
    other = {c.item.document for c in cases} - {held}
    trained_on = []

    def fit(train):
        trained_on.append({c.item.document for c in train})
        return fit_models(train, inner=2, trees={"max_iter": 10})

    outcomes, metrics = leave_one_document_out(cases, 0.1, fit=fit, held={held})
    assert trained_on == [other]  # one fold: the held document's questions, answered by the others'
    assert {o.document for o in outcomes} == {held} and set(metrics["by_document"]) == {held}
    assert len(outcomes) == sum(c.item.document == held and not c.item.augmented for c in cases)


def test_a_fold_s_outcomes_do_not_depend_on_what_was_fitted_before(cases):
    """Folds 0 and 1 answered from the readings as read, then again after a fit on every case and in
    the other order: every fit rewrites what it reads, so nothing carries over (outcomes keep what
    the report needs, taken in their own fold)."""
    folds = grouped_folds(cases, 5)

    def fit(train):
        return fit_models(train, inner=2, trees={"max_iter": 10})

    first = fold_outcomes(cases, folds, [0, 1], fit=fit)
    fit(cases)
    again = fold_outcomes(cases, folds, [1, 0], fit=fit)
    assert first.keys() == again.keys() and len(again) > 5
    for i, o in again.items():
        t = first[i]
        assert (t.gold.id, t.answer.answer, t.best, t.score, t.right) == (
            o.gold.id,
            o.answer.answer,
            o.best,
            o.score,
            o.right,
        )
        assert t.withheld.abstained and o.withheld.abstained
        assert t.fired == o.fired and o.fired["features (any candidate)"]
        assert t.reachable == o.reachable


def test_the_report_tells_a_missing_right_candidate_from_a_wrong_choice(cases, tmp_path):
    folds = grouped_folds(cases, 5)
    cv = list(
        fold_outcomes(cases, folds, [0, 1], fit=lambda t: fit_models(t, inner=2, trees={"max_iter": 10})).values()
    )
    threshold = choose_threshold(cv)
    assert any(o.reachable for o in cv)
    # a numeric answer that is right was one of the candidates the labels call right
    assert all(o.reachable for o in cv if o.right and o.gold.type in ("number", "percent", "computed"))
    # a reading with no candidate left has nothing right to choose
    emptied = dataclasses.replace(cases[0], sentence_labels=[False] * len(cases[0].sentence_labels))
    emptied.reading = dataclasses.replace(cases[0].reading, figures=[], calculations=[])
    assert not reachable(emptied)
    rows = dict(ceiling(cv, threshold))
    answerable = [o for o in cv if o.answerable]
    n, right, missing, chose, abstained = rows[ALL_ANSWERABLE]
    assert n == len(answerable) and right + missing + chose + abstained == n
    assert right == sum(o.correct_at(threshold) for o in answerable)
    assert missing == sum(not o.correct_at(threshold) and not o.reachable for o in answerable)
    withheld = [o for o in answerable if o.best < threshold or o.answer.abstained]
    assert abstained == sum(o.reachable and not o.correct_at(threshold) for o in withheld)
    # the table's right answers are the evaluation's: its accuracy per type
    by_type = metrics_at(cv, threshold)["accuracy_by_type"]
    for kind, (n_kind, right_kind, *_) in rows.items():
        if kind != ALL_ANSWERABLE:
            assert right_kind / n_kind == pytest.approx(by_type[kind], abs=1e-3)
    summary = {
        "questions": len(cv),
        "sets": ["x"],
        "folds": 5,
        "threshold": threshold,
        "cross_validation": metrics_at(cv, threshold),
    }
    write_report(tmp_path, summary, cv, firing(cv))
    lines = [json.loads(x) for x in (tmp_path / "outcomes.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [x["id"] for x in lines] == [o.gold.id for o in cv]
    assert [x["reachable"] for x in lines] == [o.reachable for o in cv]
    assert "thiếu ứng viên đúng" in (tmp_path / "report.md").read_text(encoding="utf-8")


def _weakly_separable(n_right: int, n_wrong: int, seed: int = 0):
    """Candidate rows whose rightness shows weakly in one feature, with a distractor feature."""
    rng = np.random.default_rng(seed)
    rows, labels = [], []
    for i in range(n_right + n_wrong):
        right = i < n_right
        rows.append({"sim": float(rng.normal(0.55 if right else 0.45, 0.1)), "rank": float(rng.integers(1, 10))})
        labels.append(right)
    return rows, labels


def test_rankers_fit_on_every_right_candidate_and_a_seeded_share_of_wrong_ones():
    y = np.array([1] * 50 + [0] * 4000)
    keep, share = _sampled(y, 0.25)
    assert set(np.flatnonzero(y == 1)) <= set(keep.tolist())  # every right row is kept
    wrong = (y[keep] == 0).sum()
    assert 0.2 * 4000 < wrong < 0.3 * 4000
    assert share == wrong / 4000  # the share actually kept, for the log-odds shift
    again, _ = _sampled(y, 0.25)
    assert np.array_equal(keep, again)  # deterministic
    everything, whole = _sampled(y, 1.0)
    assert whole == 1.0 and np.array_equal(everything, np.arange(len(y)))
    lonely, _ = _sampled(np.array([1, 1, 1, 0]), 0.01)  # no wrong row drawn: all are kept
    assert np.array_equal(lonely, np.arange(4))
    with pytest.raises(ValueError):
        _sampled(y, 0.0)


def test_a_ranker_fitted_on_sampled_wrong_candidates_still_ranks_and_keeps_their_rate():
    rows, labels = _weakly_separable(200, 6000)
    tests, test_labels = _weakly_separable(100, 3000, seed=1)
    small = {"max_iter": 30}
    full = fit_ranker(rows, labels, ["rank", "sim"], {**small, "negatives": 1.0})
    sampled = fit_ranker(rows, labels, ["rank", "sim"], {**small, "negatives": 0.25})
    y = np.asarray(test_labels)
    for model in (full, sampled):
        p = model.probability(tests)
        assert p[y].mean() > 1.5 * p[~y].mean()  # right candidates above wrong ones
    # shifted by log(share), the sampled model's mean probability stays near the true rate of right
    # rows (about 3 %); without the shift the same rows give about 11 %
    assert abs(sampled.probability(tests).mean() - y.mean()) < 0.02
    assert full.trees and sampled.trees and full.to_json() != sampled.to_json()


def test_a_fitted_ranker_scores_exactly_as_the_saved_one_answering_loads(tmp_path):
    rows, labels = _weakly_separable(150, 3000)
    tests, _ = _weakly_separable(80, 800, seed=2)
    for share in (1.0, 0.25):
        fitted = fit_ranker(rows, labels, ["rank", "sim", "absent"], {"max_iter": 25, "negatives": share})
        fitted.save(tmp_path / "r.json")
        saved = Ranker.load(tmp_path / "r.json")
        assert type(saved) is Ranker and saved.trees
        x = saved.matrix(tests)
        assert np.allclose(fitted.raw(x), saved.raw(x), rtol=0, atol=1e-9)
        assert np.allclose(fitted.probability(tests), saved.probability(tests), rtol=0, atol=1e-9)
