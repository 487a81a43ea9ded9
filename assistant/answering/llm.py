"""The optional LLM answerer: any OpenAI-compatible chat endpoint, held to the default checks.

The model (LangChain ``ChatOpenAI`` pointed at ``settings.llm_base_url``: vLLM, llama.cpp
server, Ollama's ``/v1`` …) gets the retrieved passages as numbered ``<tai_lieu id="n">``
data blocks and two tools, ``search`` (more passages, numbered on) and ``calculator``, in a
tool loop of at most :data:`MAX_TOOL_ROUNDS` rounds. Its answer is then checked like the
default answerer's: citations are built from the ``[n]`` markers it used, every number must
match a cited figure or a calculator result. An unverified number (when ``llm_fallback``) or
any model or network error gives the default answer instead, marked ``mode="llm-fallback"``.
"""

from __future__ import annotations

import html
import logging
import re
import unicodedata

from langchain_core.tools import tool

from assistant.answering.answerer import NOT_FOUND, DefaultAnswerer
from assistant.answering.calculator import TOOL_DESCRIPTION, calculate, calculator_text
from assistant.answering.context import AnswerContext
from assistant.answering.prompts import load_prompt
from assistant.answering.verification import check_figures
from assistant.errors import ConfigurationError
from assistant.gate import released
from assistant.models import Answer, Calculation, Citation, Hit, Operand, RetrievedPassage
from assistant.protocols import Answerer
from assistant.settings import Settings
from assistant.vietnamese.number_finder import find_numbers
from assistant.view import CorpusView

__all__ = ["LLMAnswerer", "MAX_TOOL_ROUNDS", "calculator_tool", "make_chat_model"]

log = logging.getLogger(__name__)

MAX_TOOL_ROUNDS = 3
SEARCH_K = 5
_MARKER = re.compile(r"\[(\d{1,3})\]")
_TAG = re.compile(r"<(/?\s*(?:tai_lieu|cau_hoi))", re.IGNORECASE)
_LITERAL = re.compile(r"\d+(?:\.\d+)?")

#: The calculator as a LangChain tool, for the model's tool loop.
calculator_tool = tool("calculator", description=TOOL_DESCRIPTION)(calculator_text)


class LLMToolLoopError(Exception):
    """The model kept calling tools past the round limit."""


def make_chat_model(settings: Settings):
    """A ``ChatOpenAI`` for ``settings.llm_*`` (temperature 0)."""
    if not settings.llm_base_url:
        raise ConfigurationError(
            "Chế độ LLM cần địa chỉ máy chủ mô hình (chuẩn OpenAI).",
            hint="Hãy đặt ASSISTANT_LLM_BASE_URL, ví dụ http://127.0.0.1:8080/v1 "
            "(vLLM, llama.cpp server, Ollama /v1), hoặc dùng --mode default.",
        )
    try:
        from langchain_openai import ChatOpenAI
    except ImportError as exc:
        raise ConfigurationError(
            "Chưa cài langchain-openai cho chế độ LLM.", hint="Hãy chạy: pip install -e '.[llm]'"
        ) from exc
    return ChatOpenAI(
        base_url=settings.llm_base_url,
        model=settings.llm_model,
        api_key=settings.llm_api_key,
        timeout=settings.llm_timeout_s,
        temperature=0,
        max_retries=1,
    )


class LLMAnswerer:
    """``answer(question, hits) -> Answer`` through a chat model, checked like :class:`DefaultAnswerer`."""

    def __init__(self, settings: Settings, chat_model=None, *, fallback: Answerer | None = None) -> None:
        self.settings = settings
        self.chat_model = chat_model if chat_model is not None else make_chat_model(settings)
        self.default = fallback if isinstance(fallback, DefaultAnswerer) else DefaultAnswerer(settings)
        self.fallback = fallback or self.default
        self.system_prompt = load_prompt("answer_system", settings.prompts_dir)
        self.user_prompt = load_prompt("answer_user", settings.prompts_dir)

    # --- entry point -------------------------------------------------------
    def answer(self, question: str, hits: list[Hit], corpus: CorpusView, context: str = "") -> Answer:
        passages = list(hits)
        reading = self.default.context(corpus)
        try:
            text, calculations = self._converse(question, passages, corpus)
            answer = self._checked(question, text, passages, calculations, reading)
        except ConfigurationError:
            raise
        except Exception as exc:  # model, network or protocol failure: never crash the ask
            log.warning("LLM answer failed (%s: %s); using the default answerer", type(exc).__name__, exc)
            return self._fallback(question, hits, corpus, context)
        unverified = [f.text for f in answer.figures if f.status == "unverified"]
        if unverified and self.settings.llm_fallback:
            log.info("LLM answer has unverified figures %s; using the default answerer", unverified)
            return self._fallback(question, hits, corpus, context)
        return answer

    def _fallback(self, question: str, hits: list[Hit], corpus: CorpusView, context: str = "") -> Answer:
        answer = self.fallback.answer(question, hits, corpus, context)
        answer.mode = "llm-fallback"
        return answer

    # --- the conversation --------------------------------------------------
    def _converse(self, question: str, passages: list[Hit], corpus: CorpusView) -> tuple[str, list[Calculation]]:
        from langchain_core.messages import HumanMessage, SystemMessage, ToolMessage

        calculations: list[Calculation] = []

        @tool("search")
        def search_tool(query: str) -> str:
            """Tìm thêm đoạn tài liệu liên quan; trả về các khối <tai_lieu> đánh số tiếp theo.
            | Search the loaded documents for more passages (numbered on)."""
            known = {h.chunk.id: i for i, h in enumerate(passages, 1)}
            shown = []
            for hit in corpus.search(query, SEARCH_K):
                if hit.chunk.id not in known:
                    passages.append(hit)
                    known[hit.chunk.id] = len(passages)
                shown.append(_passage_block(known[hit.chunk.id], hit))
            return "\n\n".join(shown) or "Không có đoạn tài liệu nào."

        tools = {"calculator": calculator_tool, "search": search_tool}
        model = self.chat_model.bind_tools(list(tools.values()))
        messages = [
            SystemMessage(self.system_prompt.render(not_found=NOT_FOUND)),
            HumanMessage(
                self.user_prompt.render(
                    question=_neutralize(question),
                    passages="\n\n".join(_passage_block(i, h) for i, h in enumerate(passages, 1)),
                )
            ),
        ]
        for _ in range(MAX_TOOL_ROUNDS + 1):
            with released():  # the LLM's reply needs no interpreter: another request computes
                reply = model.invoke(messages)
            if not reply.tool_calls:
                return _text(reply.content), calculations
            messages.append(reply)
            for call in reply.tool_calls:
                result = _run_tool(tools, call)
                if call["name"] == "calculator" and not result.startswith("Lỗi"):
                    calculations.append(calculate(str(call["args"].get("expression", ""))))
                messages.append(ToolMessage(content=result, tool_call_id=call["id"]))
        raise LLMToolLoopError(f"still calling tools after {MAX_TOOL_ROUNDS} rounds")

    # --- the checks --------------------------------------------------------
    def _checked(
        self, question: str, text: str, passages: list[Hit], calculations: list[Calculation], context: AnswerContext
    ) -> Answer:
        retrieved = [RetrievedPassage.from_hit(h) for h in passages]
        if " ".join(text.split()).strip("\"'“” ") == NOT_FOUND:
            return Answer(question=question, answer=NOT_FOUND, abstained=True, retrieved=retrieved, mode="llm")
        if not text:
            raise ValueError("the model returned no text")
        numbers = find_numbers(_MARKER.sub(" ", text))
        citations = []
        for n in dict.fromkeys(int(m) for m in _MARKER.findall(text)):
            if 1 <= n <= len(passages):
                citations.append(_citation(context, n, passages[n - 1], numbers))
            else:
                log.info("LLM cited [%d] but only %d passages were given", n, len(passages))
        answer = Answer(question=question, answer=text, citations=citations, retrieved=retrieved, mode="llm")
        used = [c for c in calculations if any(round(m.value, 2) == round(c.result, 2) for m in numbers)]
        if calculations:
            answer.calculation = _with_operands(context, (used or calculations)[-1], citations)
        answer.figures = check_figures(answer, context.figures)
        results = {round(c.result, 2) for c in calculations} | {round(c.result, 0) for c in calculations}
        for f in answer.figures:  # a number from an earlier calculation counts as computed too
            if f.status == "unverified" and round(f.value, 2) in results:
                f.status = "computed"
        if answer.calculation is not None and used:
            answer.value = round(answer.calculation.result, 2)
        elif len(answer.figures) == 1:
            answer.value, answer.unit = answer.figures[0].value, answer.figures[0].unit
        return answer


# --- helpers -------------------------------------------------------------------------------


def _citation(context: AnswerContext, number: int, hit: Hit, numbers) -> Citation:
    """The passage, quoting the sentence with a figure the answer uses (else the first one)."""
    chunk = hit.chunk
    for f in context.figures.get(chunk.id, []):
        if any(m.value == f["value"] or m.raw == f["raw"] for m in numbers):
            return context.citation(number, chunk, f["start"], f["end"])
    return context.citation(number, chunk, chunk.start, chunk.start)


def _with_operands(context: AnswerContext, calc: Calculation, citations: list[Citation]) -> Calculation:
    operands = []
    for literal in _LITERAL.findall(calc.expression):
        value = float(literal)
        where = next(
            ((c, f) for c in citations for f in context.figures.get(c.chunk_id, []) if f["value"] == value), None
        )
        if where:
            c, f = where
            operands.append(Operand(value=value, raw=f["raw"], label=f.get("indicator", ""), citation=c.number))
        else:
            operands.append(Operand(value=value, raw=literal))
    return calc.model_copy(update={"operands": operands})


def _passage_block(number: int, hit: Hit) -> str:
    c = hit.chunk
    body = f"{c.header}\n{c.text}" if c.kind == "table" and c.header else c.text
    return (
        f'<tai_lieu id="{number}" nguon="{html.escape(c.title)}" muc="{html.escape(c.section)}">\n'
        f"{_neutralize(body)}\n</tai_lieu>"
    )


def _neutralize(text: str) -> str:
    """Document or question text cannot open or close a delimiter block."""
    return _TAG.sub(r"‹\1", text)


def _run_tool(tools: dict, call: dict) -> str:
    tool = tools.get(call["name"])
    if tool is None:
        return f"Lỗi: không có công cụ '{call['name']}'. Các công cụ: {', '.join(tools)}."
    try:
        return str(tool.invoke(call["args"]))
    except Exception as exc:  # bad arguments from the model go back to it as text
        return f"Lỗi: {exc}"


def _text(content) -> str:
    if isinstance(content, list):  # content blocks
        content = "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    return unicodedata.normalize("NFC", str(content)).strip()
