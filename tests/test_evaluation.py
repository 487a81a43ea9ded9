"""Evaluation package tests on real corpus text: one document, questions written over it,
and a deterministic keyword-overlap pipeline (real Chunk / Hit / Answer objects)."""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from assistant.errors import DatasetError, InvalidQuestionError
from assistant.evaluation import check_gate, compare_metrics, compute_metrics, load_questions, run_eval
from assistant.evaluation.commands import bind_pipeline, compare_command, eval_command, gate_command
from assistant.evaluation.compare import format_comparison, load_metrics
from assistant.evaluation.dataset import Prediction, Question, prediction_from_answer
from assistant.evaluation.gate import baseline_from_metrics
from assistant.evaluation.runner import WARMUP_QUESTION
from assistant.evaluation.scoring import contains, is_correct, normalize
from assistant.evaluation.vn_numbers import parse_numbers
from assistant.models import Answer, Calculation, Chunk, Citation, Hit, RetrievedPassage

ROOT = Path(__file__).resolve().parents[1]
DOC_ID = "tra-vinh-qd-2063-ung-dung-cntt-2020.txt"
DOC_TEXT = unicodedata.normalize("NFC", (ROOT / "documents" / DOC_ID).read_text(encoding="utf-8"))
PREDICTION_FIELDS = [
    "id",
    "question",
    "answer",
    "abstained",
    "value",
    "unit",
    "citations",
    "retrieved",
    "calculation",
    "latency_ms",
]

# --- a small dataset written over the document -----------------------------------------------

SCHEMA_EXAMPLE = {
    "id": "dev-0001",
    "doc": "ke-hoach-2030.txt",
    "question": "Năm 2025 tỉnh có bao nhiêu trạm 5G?",
    "type": "number",
    "answer": "35 trạm",
    "value": 35,
    "unit": "trạm",
    "evidence": ["toàn tỉnh có 35 trạm phát sóng 5G"],
    "calculation": None,
    "difficulty": "easy",
}


def q(
    id: str,
    question: str,
    type: str,
    answer: str,
    evidence: list[str],
    *,
    value: float | None = None,
    unit: str | None = None,
    calculation: str | None = None,
    difficulty: str = "medium",
) -> dict:
    return {
        "id": id,
        "doc": DOC_ID,
        "question": question,
        "type": type,
        "answer": answer,
        "value": value,
        "unit": unit,
        "evidence": evidence,
        "calculation": calculation,
        "difficulty": difficulty,
    }


DATASET = [
    q(
        "t-01",
        "Năm 2019 tỉnh cung cấp bao nhiêu dịch vụ công trực tuyến mức 4?",
        "number",
        "390 dịch vụ công",
        ["390 dịch vụ công mức 4 (chiếm tỷ lệ 20,03%)"],
        value=390,
        unit="dịch vụ công",
        difficulty="easy",
    ),
    q(
        "t-02",
        "Tỷ lệ văn bản đi được ký số trong năm 2019 là bao nhiêu?",
        "percent",
        "60,7%",
        ["ký số 53.577 văn bản (tỷ lệ 60,7%)"],
        value=60.7,
        unit="%",
        difficulty="easy",
    ),
    q(
        "t-03",
        "QĐ 2063 của UBND tỉnh Trà Vinh ký ngày nào?",
        "date",
        "21/4/2020",
        ["Trà Vinh, ngày 21 tháng 4 năm 2020"],
        difficulty="easy",
    ),
    q(
        "t-04",
        "Phan mem quan ly van ban va dieu hanh cua tinh ten gi?",
        "entity",
        "iOffice",
        ["Hệ thống Quản lý văn bản và điều hành (iOffice)"],
        difficulty="hard",
    ),
    q(
        "t-05",
        "Hệ thống ISO điện tử được triển khai tại những cơ quan nào?",
        "list",
        "18 cơ quan chuyên môn thuộc UBND tỉnh, 09 UBND cấp huyện, 106 UBND cấp xã",
        [
            "Được triển khai sử dụng tại các 18 cơ quan chuyên môn thuộc Ủy ban nhân dân tỉnh, "
            "09 Ủy ban nhân dân cấp huyện"
        ],
    ),
    q(
        "t-06",
        "Số người dùng thư điện tử công vụ nhiều hơn số người dùng iOffice bao nhiêu?",
        "computed",
        "442 người",
        ["tổng số người sử dụng hệ thống là 6.448", "nâng tổng số người sử dụng hệ thống là 6.890 người"],
        value=442,
        unit="người",
        calculation="6890 - 6448",
        difficulty="hard",
    ),
    q("t-07", "Năm 2020 tỉnh có bao nhiêu trạm phát sóng 5G?", "unanswerable", "", [], difficulty="hard"),
    q(
        "t-08",
        "Tổng kinh phí đầu tư cho CĐS giai đoạn 2021-2025 là bao nhiêu?",
        "unanswerable",
        "",
        [],
        difficulty="hard",
    ),
    q(
        "t-09",
        "Có bao nhiêu cán bộ phụ trách lĩnh vực CNTT?",
        "number",
        "96 cán bộ",
        ["có 96 cán bộ phụ trách lĩnh vực công nghệ thông tin"],
        value=96,
        unit="cán bộ",
    ),
    q(
        "t-10",
        "Vì sao giao dịch bằng hồ sơ điện tử vẫn phải kèm hồ sơ giấy?",
        "text",
        "Chưa có quy định cụ thể việc lưu trữ điện tử, quy định việc chấp nhận hồ sơ điện tử "
        "trong các giao dịch hành chính",
        [
            "Chưa có quy định cụ thể việc lưu trữ điện tử, quy định việc chấp nhận hồ sơ điện tử "
            "trong các giao dịch hành chính nên các giao dịch bằng hồ sơ, văn bản điện tử vẫn phải "
            "kèm hồ sơ, văn bản giấy."
        ],
    ),
]


@pytest.fixture()
def dataset_path(tmp_path: Path) -> Path:
    path = tmp_path / "dev.jsonl"
    lines = [json.dumps(d, ensure_ascii=False) for d in DATASET]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def questions(dataset_path: Path) -> list[Question]:
    return load_questions(dataset_path)


# --- a deterministic pipeline over the document's paragraphs ----------------------------------

_WORD = re.compile(r"[^\W_]+")


def _tokens(text: str) -> set[str]:
    return set(_WORD.findall(normalize(text)))


@dataclass(frozen=True)
class Canned:
    text: str
    value: float | None = None
    unit: str | None = None
    cite: str | None = None  # phrase of the passage to cite; None cites the top hit
    abstain: bool = False
    calculation: tuple[str, float] | None = None
    fail: bool = False


CANNED = {
    "t-01": Canned(
        "Năm 2019 có 390 dịch vụ công trực tuyến mức 4 [1].", 390, "dịch vụ công", cite="390 dịch vụ công mức 4"
    ),
    "t-02": Canned("Tỷ lệ văn bản đi được ký số là 61,5% [1].", cite="tỷ lệ 60,7%"),  # > 1 % off
    "t-03": Canned("Ngày 21 tháng 4 năm 2020 [1].", cite="ngày 21 tháng 4 năm 2020"),
    "t-04": Canned("Phần mềm iOffice [1]."),  # right answer, but cites the (wrong) top hit
    "t-05": Canned(
        " ".join(
            [
                "Được triển khai sử dụng tại các 18 cơ quan chuyên môn thuộc Ủy ban "
                "nhân dân tỉnh, 09 Ủy ban nhân dân cấp huyện, 106 Ủy ban nhân dân "
                "cấp xã phục vụ công tác quản lý [1]."
            ]
            * 4
        ),
        cite="Hệ thống ISO điện tử",
    ),  # a pasted passage: too long
    "t-06": Canned(
        "Nhiều hơn 442 người (6.890 − 6.448) [1][2].",
        442,
        "người",
        cite="6.890 người",
        calculation=("6890 - 6448", 442.0),
    ),
    "t-07": Canned("", abstain=True),
    "t-08": Canned("Tổng kinh phí là 72.524 triệu đồng [1].", 72524, "triệu đồng"),
    "t-09": Canned("", abstain=True),
    "t-10": Canned(
        "Do chưa có quy định cụ thể về lưu trữ điện tử và việc chấp nhận hồ sơ điện tử trong giao dịch hành chính [1].",
        cite="Chưa có quy định cụ thể",
    ),
}


class ParagraphPipeline:
    """Keyword-overlap retrieval over one document's paragraphs, canned answers by question.

    Score = shared distinct tokens / sqrt(paragraph tokens + 1); ties go to the earlier
    paragraph. ``ask`` retrieves 12 passages (more than the 10 a prediction keeps).
    """

    def __init__(self, canned_by_question: dict[str, Canned]) -> None:
        self.canned = canned_by_question
        self.chunks: list[Chunk] = []
        section = ""
        for i, m in enumerate(re.finditer(r"[^\n]+(?:\n[^\n]+)*", DOC_TEXT)):
            if re.match(r"[IVX]+\. ", m.group()):
                section = m.group()[:60]
            self.chunks.append(
                Chunk(
                    id=f"{DOC_ID}#{i}",
                    document=DOC_ID,
                    title="QĐ 2063",
                    section=section,
                    start=m.start(),
                    end=m.end(),
                    text=m.group(),
                )
            )
        self.chunk_tokens = [_tokens(c.text) for c in self.chunks]
        self.asked: list[str] = []
        self.searched: list[str] = []

    def search(self, query: str, k: int = 10) -> list[Hit]:
        self.searched.append(query)
        wanted = _tokens(query)
        scores = [len(wanted & t) / math.sqrt(len(t) + 1) for t in self.chunk_tokens]
        order = sorted(range(len(self.chunks)), key=lambda i: (-scores[i], i))[:k]
        return [Hit(chunk=self.chunks[i], score=scores[i], rank=r) for r, i in enumerate(order, start=1)]

    def _citation(self, number: int, hit: Hit, phrase: str | None) -> Citation:
        c = hit.chunk
        at = c.text.find(phrase) if phrase else -1
        q_start, q_end = (c.start + at, c.start + at + len(phrase)) if at >= 0 and phrase else (c.start, c.end)
        return Citation(
            number=number,
            chunk_id=c.id,
            document=c.document,
            title=c.title,
            section=c.section,
            text=c.text,
            start=c.start,
            end=c.end,
            quote=DOC_TEXT[q_start:q_end],
            quote_start=q_start,
            quote_end=q_end,
        )

    def ask(self, question: str, *, history: list[str] | None = None) -> Answer:
        self.asked.append(question)
        hits = self.search(question, k=12)
        retrieved = [RetrievedPassage.from_hit(h) for h in hits]
        canned = self.canned.get(question, Canned("", abstain=True))
        if canned.fail:
            raise InvalidQuestionError("Câu hỏi quá dài.", hint="Hãy rút gọn câu hỏi.")
        if canned.abstain:
            return Answer(
                question=question, answer="Tài liệu không có thông tin này.", abstained=True, retrieved=retrieved
            )
        cited = next((h for h in hits if canned.cite and canned.cite in h.chunk.text), hits[0])
        calc = None
        if canned.calculation:
            calc = Calculation(expression=canned.calculation[0], result=canned.calculation[1])
        return Answer(
            question=question,
            answer=canned.text,
            value=canned.value,
            unit=canned.unit,
            citations=[self._citation(1, cited, canned.cite)],
            calculation=calc,
            retrieved=retrieved,
        )


def make_pipeline() -> ParagraphPipeline:
    by_question = {d["question"]: CANNED[d["id"]] for d in DATASET}
    return ParagraphPipeline(by_question)


def paragraph_with(phrase: str) -> str:
    return next(c.text for c in make_pipeline().chunks if phrase in c.text)


def prediction(
    qid: str,
    *,
    answer: str = "",
    value: float | None = None,
    abstained: bool = False,
    retrieved: list[str] = (),
    citations: list[str] = (),
    latency_ms: float = 1.0,
) -> Prediction:
    return Prediction(
        id=qid,
        question="?",
        answer=answer,
        abstained=abstained,
        value=value,
        unit=None,
        citations=[{"document": DOC_ID, "section": "", "text": t, "start": 0, "end": len(t)} for t in citations],
        retrieved=[{"document": DOC_ID, "text": t, "score": 1.0 / (i + 1)} for i, t in enumerate(retrieved)],
        calculation=None,
        latency_ms=latency_ms,
    )


def question(type: str, answer: str, *, value: float | None = None, evidence: list[str] = ("x",)) -> Question:
    return Question(
        id="s",
        doc=DOC_ID,
        question="?",
        type=type,
        answer=answer,
        value=value,
        evidence=list(evidence),
        difficulty="easy",
    )


# --- scoring ---------------------------------------------------------------------------------


def test_normalize_nfc_tabs_whitespace_case() -> None:
    decomposed = unicodedata.normalize("NFD", "Ủy ban\tnhân   dân\n TỈNH ")
    assert normalize(decomposed) == "ủy ban nhân dân tỉnh"
    assert normalize(decomposed) == normalize("ủy ban nhân dân tỉnh")


def test_contains_substring_prefix_suffix_rule() -> None:
    passage = paragraph_with("Chưa có quy định cụ thể việc lưu trữ điện tử")
    sentence = (
        "Chưa có quy định cụ thể việc lưu trữ điện tử, quy định việc chấp nhận hồ sơ "
        "điện tử trong các giao dịch hành chính"
    )
    assert contains(passage, sentence)
    # case, NFD and tabs in the evidence do not matter
    assert contains(passage, unicodedata.normalize("NFD", sentence.upper().replace(" ", "\t")))
    # only the first 50 normalized characters are in the passage
    assert contains(passage, sentence + " và một đoạn đuôi không có trong tài liệu này")
    # only the last 50 are
    assert contains(passage, "Một đoạn đầu không có trong tài liệu này, " + sentence)
    # neither end (nor the whole) is there
    assert not contains(passage, "Đầu lạ không có trong tài liệu. " + sentence + " Đuôi lạ không có trong tài liệu.")
    assert not contains(passage, "ký số 53.577 văn bản")
    assert not contains(passage, "   ")


def test_vietnamese_number_parser() -> None:
    assert parse_numbers("1.222 trạm, 59,25% và 72.524,5 triệu đồng") == [1222, 59.25, 72524.5]
    assert parse_numbers("giai đoạn 2016-2020, giảm -3,5") == [2016, 2020, -3.5]
    assert parse_numbers("ngày 21/4/2020") == [21, 4, 2020]
    assert parse_numbers("mã 21.4.2020") == []


def test_numeric_types_within_one_percent_of_value() -> None:
    pct = question("percent", "60,7%", value=60.7)
    assert is_correct(pct, prediction("s", answer="x", value=61.3))  # 0.99 % off
    assert not is_correct(pct, prediction("s", answer="x", value=61.4))  # 1.15 % off
    # value null: numbers are read from the text, Vietnamese style
    assert is_correct(pct, prediction("s", answer="Đạt khoảng 61,3% [1]"))
    assert not is_correct(pct, prediction("s", answer="Đạt 61,5% [1]"))
    # value given: the text is not consulted
    assert not is_correct(pct, prediction("s", answer="60,7%", value=70.0))
    num = question("number", "1.222 trạm", value=1222)
    assert is_correct(num, prediction("s", answer="Toàn tỉnh có 1.222 trạm."))
    assert not is_correct(num, prediction("s", answer="Toàn tỉnh có 1,222 trạm."))  # = 1.222
    computed = question("computed", "33.306,764 triệu đồng", value=33306.764)
    assert is_correct(computed, prediction("s", answer="Chênh lệch 33.306,764 triệu đồng"))
    assert is_correct(question("number", "0", value=0), prediction("s", answer="x", value=0))


def test_date_digit_groups() -> None:
    date = question("date", "21/4/2020")
    assert is_correct(date, prediction("s", answer="Ký ngày 21/4/2020."))
    assert is_correct(date, prediction("s", answer="Ngày 21 tháng 4 năm 2020."))
    assert not is_correct(date, prediction("s", answer="Ngày 21/4/2021."))
    assert is_correct(question("date", "07/3/2019"), prediction("s", answer="ngày 7/3/2019"))
    two = question("date", "từ 10/10 đến 9/2020")
    assert is_correct(two, prediction("s", answer="Từ ngày 10/10/2019 đến tháng 9/2020"))
    assert not is_correct(two, prediction("s", answer="Từ ngày 10/10/2019 đến tháng 9/2021"))


def test_content_words_threshold_and_stop_words() -> None:
    # content words: sở, thông, tin, truyền ("và" is a stop word, "thông" counts once)
    gold = question("entity", "Sở Thông tin và Truyền thông")
    assert is_correct(gold, prediction("s", answer="Sở Thông tin Truyền thông"))
    assert is_correct(gold, prediction("s", answer="sở thông tin"))  # 3/4 = 75 %
    assert not is_correct(gold, prediction("s", answer="Sở Truyền"))  # 2/4 = 50 %
    five = question("list", "iOffice, iGate, ISO, VLIS, HIS")
    assert is_correct(five, prediction("s", answer="iOffice, iGate và ISO"))  # exactly 60 %
    assert not is_correct(five, prediction("s", answer="iOffice và iGate"))


def test_long_answers_are_rejected() -> None:
    gold = question("text", "Chưa có quy định cụ thể việc lưu trữ điện tử")
    good = "Chưa có quy định cụ thể việc lưu trữ điện tử."
    assert is_correct(gold, prediction("s", answer=good + " " + "x" * (399 - len(good) - 1)))
    assert not is_correct(gold, prediction("s", answer=good + " " + "x" * (401 - len(good) - 1)))
    long_gold = question("text", "a" * 200)
    assert is_correct(long_gold, prediction("s", answer="a" * 200 + " " + "b" * 399))
    assert not is_correct(long_gold, prediction("s", answer="a" * 200 + " " + "b" * 400))


def test_abstention_rules() -> None:
    unanswerable = question("unanswerable", "", evidence=[])
    assert is_correct(unanswerable, prediction("s", abstained=True))
    assert not is_correct(unanswerable, prediction("s", answer="35 trạm", value=35))
    number = question("number", "35 trạm", value=35)
    assert not is_correct(number, prediction("s", answer="35 trạm", value=35, abstained=True))


# --- dataset ---------------------------------------------------------------------------------


def test_load_questions_schema_example_extra_fields_bom(tmp_path: Path) -> None:
    extra = dict(SCHEMA_EXAMPLE, id="dev-0002", source_page=3, reviewer="an")
    del extra["calculation"]  # nullable fields may be left out
    path = tmp_path / "d.jsonl"
    path.write_text(
        "\ufeff"
        + json.dumps(SCHEMA_EXAMPLE, ensure_ascii=False)
        + "\n\n"
        + json.dumps(extra, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    loaded = load_questions(path)
    assert [x.id for x in loaded] == ["dev-0001", "dev-0002"]
    assert loaded[0].value == 35 and loaded[0].evidence == ["toàn tỉnh có 35 trạm phát sóng 5G"]
    assert loaded[1].calculation is None and not hasattr(loaded[1], "reviewer")


def test_bad_dataset_lines_are_named(tmp_path: Path) -> None:
    good = json.dumps(SCHEMA_EXAMPLE, ensure_ascii=False)
    lines = [
        good,
        json.dumps(dict(SCHEMA_EXAMPLE, id="b2", type="số"), ensure_ascii=False),
        json.dumps(dict(SCHEMA_EXAMPLE, id="b3", value="35"), ensure_ascii=False),
        '{"id": "b4", "question": ',
        json.dumps({k: v for k, v in SCHEMA_EXAMPLE.items() if k != "evidence"} | {"id": "b5"}),
        good,
        json.dumps(dict(SCHEMA_EXAMPLE, id="b7", type="percent", value=None)),
        "[1, 2]",
    ]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DatasetError) as info:
        load_questions(path)
    message = str(info.value)
    assert "Dòng 1" not in message
    assert "Dòng 2: trường 'type' phải là một trong" in message
    assert "Dòng 3: trường 'value' phải là số" in message
    assert "Dòng 4: không phải JSON hợp lệ" in message
    assert "Dòng 5: thiếu trường bắt buộc" in message and "evidence" in message
    assert "Dòng 6: id 'dev-0001' trùng với dòng 1" in message
    assert "Dòng 7: câu hỏi loại 'percent' cần trường 'value'" in message
    assert "Dòng 8: mỗi dòng phải là một đối tượng JSON" in message
    assert "SCHEMA.md" in message


def test_missing_or_empty_dataset(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="Không tìm thấy"):
        load_questions(tmp_path / "none.jsonl")
    (tmp_path / "empty.jsonl").write_text("\n\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="không có câu hỏi"):
        load_questions(tmp_path / "empty.jsonl")


def test_prediction_from_answer_maps_fields(questions: list[Question]) -> None:
    pipeline = make_pipeline()
    q6 = next(x for x in questions if x.id == "t-06")
    p = prediction_from_answer(q6, pipeline.ask(q6.question), 12.5)
    assert list(p.model_dump()) == PREDICTION_FIELDS
    assert len(p.retrieved) == 10  # ask returned 12
    assert p.calculation == {"expression": "6890 - 6448", "result": 442.0}
    cite = p.citations[0]
    assert {"document", "section", "text", "start", "end", "number", "quote"} <= set(cite)
    assert DOC_TEXT[cite["start"] : cite["end"]] == cite["text"]
    assert cite["quote"] == "6.890 người"
    assert set(p.retrieved[0]) == {"document", "text", "score", "section", "start", "end"}


# --- metrics on hand-built predictions ---------------------------------------------------------


def test_metrics_by_hand() -> None:
    p_dvc = paragraph_with("390 dịch vụ công mức 4")
    p_ioffice = paragraph_with("tổng số người sử dụng hệ thống là 6.448")
    p_email = paragraph_with("6.890 người")
    other = [paragraph_with(s) for s in ("Điều 1.", "Điều 2.", "Nơi nhận:", "5. Về hạ tầng")]
    qs = [
        Question(
            id="a",
            doc="d1.txt",
            question="?",
            type="number",
            answer="390",
            value=390,
            evidence=["390 dịch vụ công mức 4"],
            difficulty="easy",
        ),
        Question(
            id="b",
            doc="d1.txt",
            question="?",
            type="computed",
            answer="442",
            value=442,
            evidence=["6.448", "nâng tổng số người sử dụng hệ thống là 6.890 người"],
            difficulty="hard",
        ),
        Question(
            id="c",
            doc="d2.txt",
            question="?",
            type="entity",
            answer="iOffice",
            evidence=["Hệ thống Quản lý văn bản và điều hành (iOffice)"],
            difficulty="medium",
        ),
        Question(id="d", doc="d2.txt", question="?", type="unanswerable", answer="", evidence=[], difficulty="hard"),
        Question(id="e", doc="d2.txt", question="?", type="unanswerable", answer="", evidence=[], difficulty="hard"),
    ]
    preds = [
        # evidence at rank 2; right; cites it
        prediction(
            "a", answer="390", value=390, retrieved=[other[0], p_dvc, *other[1:]], citations=[p_dvc], latency_ms=10
        ),
        # one operand at rank 1, the other at rank 6; wrong value; cites evidence
        prediction(
            "b",
            answer="500",
            value=500,
            retrieved=[p_email, *other, p_dvc, p_ioffice],
            citations=[p_email],
            latency_ms=20,
        ),
        # evidence not retrieved; abstained (a false abstention)
        prediction("c", abstained=True, retrieved=other, latency_ms=30),
        prediction("d", abstained=True, latency_ms=40),
        prediction("e", answer="35 trạm", value=35, latency_ms=50),
    ]
    m = compute_metrics(qs, preds, label="tay")
    assert m["n"] == 5 and m["n_answerable"] == 3 and m["n_with_evidence"] == 3
    assert m["accuracy"] == 0.4  # a, d
    assert m["accuracy_by_type"] == {"number": 1.0, "entity": 0.0, "computed": 0.0, "unanswerable": 0.5}
    assert m["accuracy_by_difficulty"] == {"easy": 1.0, "medium": 0.0, "hard": 0.3333}
    assert m["accuracy_by_doc"] == {"d1.txt": 0.5, "d2.txt": 0.3333}
    assert m["recall@1"] == 0.3333  # b
    assert m["recall@5"] == 0.6667 and m["recall@10"] == 0.6667  # a, b
    assert m["recall_all@5"] == 0.3333  # a only: b's 6.448 is at rank 6
    assert m["mrr@10"] == 0.5  # (1/2 + 1 + 0) / 3
    assert m["citation_recall"] == 1.0  # a and b (c abstained)
    assert m["abstention_unanswerable"] == 0.5
    assert m["false_abstention"] == 0.3333
    assert (m["latency_p50_ms"], m["latency_p95_ms"], m["latency_mean_ms"]) == (30, 48, 30)
    assert m["n_by_type"] == {"number": 1, "entity": 1, "computed": 1, "unanswerable": 2}
    json.dumps(m)

    retrieval = compute_metrics(qs, preds, retrieval_only=True)
    assert retrieval["accuracy"] is None and retrieval["accuracy_by_type"] == {}
    assert retrieval["recall@5"] == m["recall@5"]
    assert list(retrieval) == list(m)

    with pytest.raises(DatasetError, match="Thiếu dự đoán"):
        compute_metrics(qs, preds[:-1])


# --- a whole run through the pipeline --------------------------------------------------------


def test_run_eval_full(questions: list[Question], tmp_path: Path) -> None:
    pipeline = make_pipeline()
    out = tmp_path / "run"
    result = run_eval(questions, pipeline, out, progress=False, label="dev")

    assert pipeline.asked[0] == WARMUP_QUESTION and len(pipeline.asked) == len(questions) + 1

    lines = (out / "predictions.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(questions)
    assert "Năm 2019 tỉnh cung cấp" in lines[0]  # ensure_ascii=False
    for line, q in zip(lines, questions):
        obj = json.loads(line)
        assert list(obj) == PREDICTION_FIELDS and obj["id"] == q.id
        assert 0 < len(obj["retrieved"]) <= 10
        top10 = pipeline.search(q.question, k=10)
        assert [r["text"] for r in obj["retrieved"]] == [h.chunk.text for h in top10]
        scores = [r["score"] for r in obj["retrieved"]]
        assert scores == sorted(scores, reverse=True)
        for c in obj["citations"]:
            assert {"document", "section", "text", "start", "end"} <= set(c)
        assert obj["latency_ms"] > 0

    m = result.metrics
    # right: t-01, t-03 (date written out), t-04, t-06, t-07 (abstained), t-10
    # wrong: t-02 (1.3 % off), t-05 (too long), t-08 (not abstained), t-09 (abstained)
    assert m["accuracy"] == 0.6
    assert m["accuracy_by_type"] == {
        "number": 0.5,
        "percent": 0.0,
        "date": 1.0,
        "entity": 1.0,
        "list": 0.0,
        "text": 1.0,
        "computed": 1.0,
        "unanswerable": 0.5,
    }
    ranks = {r.question.id: r.retrieved_rank for r in result.rows}
    assert ranks == {
        "t-01": 2,
        "t-02": 1,
        "t-03": 9,
        "t-04": None,
        "t-05": 1,
        "t-06": 1,
        "t-07": None,
        "t-08": None,
        "t-09": 2,
        "t-10": 1,
    }
    assert m["recall@1"] == 0.5 and m["recall@5"] == 0.75 and m["recall@10"] == 0.875
    assert m["mrr@10"] == round((0.5 + 1 + 1 / 9 + 0 + 1 + 1 + 0.5 + 1) / 8, 4)
    assert m["recall_all@5"] == 0.625  # t-06's second operand is at rank 9
    assert m["citation_recall"] == round(6 / 7, 4)  # t-04 cites the wrong passage
    assert m["abstention_unanswerable"] == 0.5 and m["false_abstention"] == 0.125
    assert [r.correct for r in result.rows].count(True) == 6

    assert json.loads((out / "metrics.json").read_text(encoding="utf-8")) == m
    for name in ("accuracy_by_type.png", "recall_at_k.png", "latency.png"):
        data = (out / name).read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 1000
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "Kết quả đánh giá" in report and "![" in report and "accuracy_by_type.png" in report
    wrong_section = report.split("## Câu trả lời sai (4)")[1]
    for qid in ("t-02", "t-05", "t-08", "t-09"):
        assert f"| {qid} |" in wrong_section
    assert "| t-01 |" not in wrong_section
    assert "có (hạng 2)" in wrong_section  # t-09's evidence was retrieved


def test_run_eval_retrieval_only(questions: list[Question], tmp_path: Path) -> None:
    pipeline = make_pipeline()
    out = tmp_path / "retrieval"
    (out).mkdir()
    (out / "accuracy_by_type.png").write_bytes(b"stale")
    result = run_eval(questions, pipeline, out, retrieval_only=True, progress=False)
    assert pipeline.asked == []
    assert pipeline.searched[0] == WARMUP_QUESTION
    m = result.metrics
    assert m["retrieval_only"] is True and m["accuracy"] is None
    assert m["recall@5"] == 0.75 and m["recall_all@5"] == 0.625
    for p in result.predictions:
        assert p.answer == "" and not p.abstained and p.value is None and p.citations == []
        assert len(p.retrieved) == 10
    assert all(r.correct is None for r in result.rows)
    assert not (out / "accuracy_by_type.png").exists()
    assert (out / "recall_at_k.png").stat().st_size > 0 and (out / "latency.png").exists()
    report = (out / "report.md").read_text(encoding="utf-8")
    misses = report.split("## Truy hồi trượt")[1]
    assert "| t-03 |" in misses and "| t-04 |" in misses and "| t-01 |" not in misses
    assert "ngoài top 10" in misses


def test_pipeline_errors_are_recorded(questions: list[Question], tmp_path: Path) -> None:
    pipeline = make_pipeline()
    pipeline.canned[questions[0].question] = Canned("", fail=True)
    result = run_eval(questions, pipeline, tmp_path, progress=False)
    row = result.rows[0]
    assert row.error is not None and "quá dài" in row.error and row.correct is False
    assert "Lỗi khi chạy (1)" in (tmp_path / "report.md").read_text(encoding="utf-8")


# --- compare and gate ------------------------------------------------------------------------


def test_compare_metrics_and_format(tmp_path: Path) -> None:
    a = {
        "label": "a",
        "retrieval_only": False,
        "n": 10,
        "accuracy": 0.6,
        "accuracy_by_type": {"number": 0.5, "date": 1.0},
        "recall@5": 0.75,
        "latency_p50_ms": 12.0,
    }
    b = {
        "label": "b",
        "retrieval_only": False,
        "n": 10,
        "accuracy": 0.7,
        "accuracy_by_type": {"number": 0.75, "list": 0.0},
        "recall@5": 0.7,
        "latency_p50_ms": 10.5,
    }
    rows = compare_metrics(a, b)
    assert rows == [
        ("n", 10, 10, 0),
        ("accuracy", 0.6, 0.7, 0.1),
        ("accuracy_by_type.number", 0.5, 0.75, 0.25),
        ("accuracy_by_type.date", 1.0, None, None),
        ("recall@5", 0.75, 0.7, -0.05),
        ("latency_p50_ms", 12.0, 10.5, -1.5),
        ("accuracy_by_type.list", None, 0.0, None),
    ]
    table = format_comparison(rows, "gốc", "mới")
    lines = table.splitlines()
    assert "gốc" in lines[0] and "mới" in lines[0] and "Δ" in lines[0]
    assert len({len(line) for line in lines[2:]}) == 1  # fixed width
    assert "+0.1000" in table and "-0.0500" in table and "-1.5" in table and "+0" in table

    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "metrics.json").write_text(json.dumps(a), encoding="utf-8")
    assert load_metrics(tmp_path / "run") == a
    assert load_metrics(tmp_path / "run" / "metrics.json") == a
    with pytest.raises(DatasetError, match="Không tìm thấy"):
        load_metrics(tmp_path / "nowhere")


def test_gate() -> None:
    baseline = {
        "accuracy": 0.80,
        "recall@5": 0.90,
        "mrr@10": 0.7,
        "dataset": "eval/datasets/dev.jsonl",
        "updated": "2025-01-01",
    }
    assert check_gate({"accuracy": 0.785, "recall@5": 0.95}, baseline) == []
    assert check_gate({"accuracy": 0.78, "recall@5": 0.88}, baseline) == []  # exactly 2 points
    failures = check_gate({"accuracy": 0.75, "recall@5": 0.87, "mrr@10": 0.1}, baseline)
    assert len(failures) == 2
    assert "Độ chính xác" in failures[0] and "5.0 điểm" in failures[0]
    assert "recall@5" in failures[1] and "baseline 90.0%" in failures[1]
    assert check_gate({"accuracy": 0.75, "recall@5": 0.9}, baseline, tolerance_points=6) == []
    retrieval_only = check_gate({"accuracy": None, "recall@5": 0.9}, baseline)
    assert len(retrieval_only) == 1 and "--retrieval-only" in retrieval_only[0]
    made = baseline_from_metrics(
        {"accuracy": 0.6, "recall@5": 0.75, "mrr@10": 0.64, "n": 10}, "eval/datasets/dev.jsonl"
    )
    assert made["accuracy"] == 0.6 and made["dataset"] == "eval/datasets/dev.jsonl"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", made["updated"])


# --- wiring into a typer app -----------------------------------------------------------------


def test_commands_in_a_typer_app(dataset_path: Path, tmp_path: Path) -> None:
    app = typer.Typer()
    app.command("eval")(bind_pipeline(eval_command, make_pipeline))
    app.command("compare")(compare_command)
    app.command("gate")(gate_command)
    cli = CliRunner()

    first, second = tmp_path / "first", tmp_path / "second"
    res = cli.invoke(app, ["eval", str(dataset_path), "--out", str(first), "--retrieval-only"])
    assert res.exit_code == 0, res.output
    assert "recall@5 75.0%" in res.output
    res = cli.invoke(app, ["eval", str(dataset_path), "-o", str(second), "--compare-to", str(first)])
    assert res.exit_code == 0, res.output
    assert "độ chính xác 60.0%" in res.output and "accuracy_by_type.number" in res.output

    res = cli.invoke(app, ["compare", str(first), str(second / "metrics.json")])
    assert res.exit_code == 0 and "recall@5" in res.output

    baseline = tmp_path / "baseline.json"
    baseline.write_text(
        json.dumps({"accuracy": 0.7, "recall@5": 0.75, "dataset": "eval/datasets/dev.jsonl", "updated": "2025-01-01"}),
        encoding="utf-8",
    )
    res = cli.invoke(app, ["gate", str(second), "--baseline", str(baseline)])
    assert res.exit_code == 1 and "KHÔNG ĐẠT" in res.output
    res = cli.invoke(app, ["gate", str(second), "--baseline", str(baseline), "--tolerance", "10"])
    assert res.exit_code == 0, res.output

    res = cli.invoke(app, ["eval", "--help"])
    assert "Ví dụ: assistant eval" in res.output and "--retrieval-only" in res.output
