"""The trained files the answerer reads (``assistant/answering/trained/``): the question classifier,
the figure model, the numeric-answer model (with the listwise model whose scores it reads, when
trained with one) and the sentence model, with the abstention threshold chosen by cross-validation.
``assistant train`` rewrites them deterministically."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from assistant.answering.classifier import QuestionClassifier
from assistant.answering.ranker import Ranker
from assistant.errors import ConfigurationError

TRAINED = Path(__file__).resolve().parent / "trained"
#: Bumped when features change in a way that old trained files cannot be read with. 2: noun_missing;
#: units compared by head word; 3: the answerability head; 4: two steps, proper names; 5: numbers the
#: question gives as operands, what an average is per, siblings of what is asked; 6: operands' roles
#: (target or result), a question's numbers kept as written; 7: which of the question's numbers are targets,
#: a target divisor, differences in percentage points; 8: a follow-up's earlier subject; 9: the parts of a
#: question that asks several things (q_parts, parts_min, parts_held), numbers in a sentence; 10: averages
#: over a period and per unit of time (calc_average, per_time, q_per_time).
#: 11: how far the words after a figure follow the whole counted phrase (counted_run).
#: 12: a planning part's figures as targets (planned_section, planned, planned_first) and whether a
#: calculation leaves out a planned figure of its operands' kind that the operand pool offered
#: (planned_available, planned_left_out); figure features against the best of the same sentence (rel_sent_*).
#: 13: a calculation that restates a stated figure, adds a breakdown's head to its own item, or leaves the
#: counted noun in its operands (restates_stated, whole_and_part, noun_left_in_operands).
#: Computed, not yet trained: own_cov and sibling_cov (segments.py); the training that first reads
#: them bumps this.
FEATURES_VERSION = 13
LISTWISE_FILE = "listwise.json"
#: What the listwise model gives the numeric model (``reading.set_listwise``), never what it reads.
LISTWISE_FEATURES = ("listwise", "listwise_gap")


@dataclass
class Models:
    classifier: QuestionClassifier
    figures: Ranker  # is a figure the answer or an operand?
    numeric: Ranker  # is a figure or a calculation the answer?
    sentences: Ranker  # is a sentence (date, name, list, explanation) the answer?
    threshold: float  # below it the answerer abstains
    manifest: dict
    # the documents (sha256) the training questions were written from: the answerability head's
    # knowledge of what a question has no answer in holds for these only
    seen_documents: frozenset[str] = frozenset()
    # orders a question's numeric candidates (LightGBM's lambdarank); its scores are features of
    # ``numeric`` (``listwise``, ``listwise_gap``). None in models trained without it.
    listwise: Ranker | None = None

    @classmethod
    def load(cls, directory: Path = TRAINED) -> "Models":
        directory = Path(directory)
        manifest_path = directory / "manifest.json"
        if not manifest_path.is_file():
            raise ConfigurationError(f"Chưa có mô hình trả lời trong {directory}.", hint="Hãy chạy: assistant train")
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("features_version") != FEATURES_VERSION:
            raise ConfigurationError(
                "Mô hình trả lời được huấn luyện với phiên bản đặc trưng khác.", hint="Hãy chạy lại: assistant train"
            )
        numeric = Ranker.load(directory / "numeric.json")
        listwise = None
        if set(LISTWISE_FEATURES) & set(numeric.features):  # else a file left there is not read
            if not (directory / LISTWISE_FILE).is_file():
                raise ConfigurationError(
                    f"Thiếu tệp {LISTWISE_FILE} mà mô hình số trong {directory} cần.",
                    hint="Hãy chạy lại: assistant train",
                )
            listwise = Ranker.load(directory / LISTWISE_FILE)
        return cls(
            classifier=QuestionClassifier.load(directory / "classifier.json"),
            figures=Ranker.load(directory / "figures.json"),
            numeric=numeric,
            sentences=Ranker.load(directory / "sentences.json"),
            threshold=float(manifest["threshold"]),
            manifest=manifest,
            seen_documents=frozenset(manifest.get("seen_documents", [])),
            listwise=listwise,
        )

    def save(self, directory: Path = TRAINED) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self.classifier.save(directory / "classifier.json")
        self.figures.save(directory / "figures.json")
        self.numeric.save(directory / "numeric.json")
        self.sentences.save(directory / "sentences.json")
        if self.listwise is not None:
            self.listwise.save(directory / LISTWISE_FILE)
        else:  # a listwise model left by an earlier training would not match these
            (directory / LISTWISE_FILE).unlink(missing_ok=True)
        manifest = dict(
            self.manifest,
            features_version=FEATURES_VERSION,
            threshold=self.threshold,
            seen_documents=sorted(self.seen_documents),
        )
        (directory / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", "utf-8")
