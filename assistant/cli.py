"""The ``assistant`` command line: index, search, ask, chat, eval.

Examples::

    assistant index                      # build or refresh the index (progress bar)
    assistant index --rebuild            # rebuild from scratch
    assistant search "số trạm BTS năm 2023" -k 5
    assistant search "so tram bts" --json --doc tra-vinh-ke-hoach-ktxh-tttt-2024.txt
    assistant ask "Năm 2023 tỉnh có bao nhiêu trạm BTS?"
    assistant chat
    assistant serve --port 8000          # API + chat UI at http://127.0.0.1:8000
    assistant keys create --name cong-tinh --role reader
    assistant eval eval/datasets/dev.jsonl --out eval/reports/latest
"""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from assistant.errors import AssistantError, shown
from assistant.settings import Settings
from assistant.usage import ChoiceError, click_errors, usage_message

MODES = ("default", "llm")

app = typer.Typer(
    help="Trợ lý hỏi đáp tài liệu quy hoạch CNTT / chuyển đổi số (trả lời có trích dẫn, số liệu được kiểm tra).",
    no_args_is_help=True,
    add_completion=False,
)


def _settings() -> Settings:
    return Settings()


def _fail(exc: AssistantError) -> None:
    typer.secho(f"Lỗi: {shown(exc, limit=None)}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=2)


def _check_mode(value: Optional[str]) -> Optional[str]:
    if value is not None and value not in MODES:
        raise ChoiceError(f"'{shown(value)}' không phải một chế độ trả lời; chọn một trong: {', '.join(MODES)}.")
    return value


@app.command()
def index(
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Xây lại toàn bộ, không dùng lại chỉ mục cũ.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Không hiện thanh tiến trình.")] = False,
    wait: Annotated[
        bool, typer.Option("--wait", help="Nếu một lần xây khác đang chạy, chờ nó xong thay vì dừng.")
    ] = False,
) -> None:
    """Xây hoặc cập nhật chỉ mục từ thư mục documents/.  Ví dụ: assistant index --rebuild"""
    from assistant.indexing.builder import build_index
    from assistant.retrieval.embeddings import make_embedder

    settings = _settings()
    try:
        report = build_index(
            settings,
            make_embedder(settings),
            rebuild=rebuild,
            progress=not quiet,
            log=lambda m: typer.echo(m, err=True),
            wait=wait,
        )
    except AssistantError as exc:
        _fail(exc)
    if report.status == "up-to-date":
        typer.echo(f"Chỉ mục đã cập nhật ({report.documents} tài liệu, {report.chunks} đoạn); không có gì thay đổi.")
    else:
        typer.echo(
            f"Đã xây chỉ mục: {report.documents} tài liệu, {report.chunks} đoạn "
            f"({report.embedded} đoạn nhúng mới, {report.reused} dùng lại) trong {report.seconds:.1f} giây."
        )
    if report.skipped:
        typer.secho(
            f"Đã bỏ qua {len(report.skipped)} tệp không đọc được (xem thông báo ở trên).",
            fg=typer.colors.YELLOW,
            err=True,
        )


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Câu hỏi hoặc từ khóa.")],
    k: Annotated[int, typer.Option("-k", help="Số đoạn trả về.", min=1, max=100)] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON.")] = False,
    doc: Annotated[
        Optional[list[str]], typer.Option("--doc", help="Chỉ tìm trong tài liệu này (lặp lại được).")
    ] = None,
    province: Annotated[Optional[str], typer.Option("--province", help="Lọc theo tỉnh, ví dụ: 'Trà Vinh'.")] = None,
    year: Annotated[Optional[int], typer.Option("--year", help="Lọc theo năm, ví dụ: 2023.")] = None,
) -> None:
    """Tìm các đoạn văn liên quan.  Ví dụ: assistant search "số trạm BTS năm 2023" -k 5"""
    from assistant.filters import Filters
    from assistant.pipeline import Pipeline
    from assistant.render import flat, to_json

    try:
        hits = Pipeline(_settings()).search(query, k=k, filters=Filters.of(doc, province, year))
    except AssistantError as exc:
        _fail(exc)
    if as_json:
        rows = [
            {
                "rank": h.rank,
                "score": round(h.score, 4),
                "document": h.chunk.document,
                "section": h.chunk.section,
                "start": h.chunk.start,
                "end": h.chunk.end,
                "text": h.chunk.text,
            }
            for h in hits
        ]
        typer.echo(to_json(rows))
        return
    if not hits:
        typer.echo("Không tìm thấy đoạn nào phù hợp.")
    for h in hits:
        typer.secho(f"[{h.rank}] {h.score:.3f}  {shown(h.chunk.document)}", bold=True)
        if h.chunk.section:
            typer.echo(f"    {flat(h.chunk.section)}")
        typer.echo("    " + flat(h.chunk.text, 400))
        typer.echo()


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="Câu hỏi bằng tiếng Việt.")],
    as_json: Annotated[bool, typer.Option("--json", help="In toàn bộ câu trả lời dạng JSON.")] = False,
    mode: Annotated[
        Optional[str], typer.Option("--mode", help="default (không dùng LLM) hoặc llm.", callback=_check_mode)
    ] = None,
) -> None:
    """Hỏi một câu và nhận câu trả lời có trích dẫn.  Ví dụ: assistant ask "Năm 2023 có bao nhiêu trạm BTS?" """
    from assistant.pipeline import Pipeline
    from assistant.render import render_answer, to_json

    try:
        answer = Pipeline(_settings()).ask(question, mode=mode)
    except AssistantError as exc:
        _fail(exc)
    typer.echo(to_json(answer.model_dump(mode="json")) if as_json else render_answer(answer))


@app.command()
def chat() -> None:
    """Trò chuyện trong cửa sổ dòng lệnh (gõ 'thoát' hoặc Ctrl-D để kết thúc)."""
    from assistant.conversation import Conversation
    from assistant.pipeline import Pipeline
    from assistant.render import render_answer

    pipeline = Pipeline(_settings())
    conversation = Conversation(pipeline)
    typer.echo("Trợ lý tài liệu quy hoạch. Hãy đặt câu hỏi (gõ 'thoát' để kết thúc).")
    while True:
        try:
            question = input("\nBạn: ").strip()
        except (EOFError, KeyboardInterrupt):
            typer.echo()
            break
        except UnicodeDecodeError:
            typer.secho("Lỗi: dòng vừa nhập không phải văn bản UTF-8. Hãy gõ lại câu hỏi.", fg=typer.colors.RED)
            continue
        if question.lower() in {"thoát", "thoat", "exit", "quit"}:
            break
        if not question:
            continue
        try:
            answer = conversation.ask(question)
        except AssistantError as exc:
            typer.secho(f"Lỗi: {shown(exc, limit=None)}", fg=typer.colors.RED)
            continue
        typer.echo("\n" + render_answer(answer))


def _register_eval_commands() -> None:
    from assistant.evaluation.commands import bind_pipeline, compare_command, eval_command, gate_command

    def make_pipeline():
        from assistant.pipeline import Pipeline

        return Pipeline(_settings())

    app.command("eval")(bind_pipeline(eval_command, make_pipeline))
    from assistant.training.command import train_command

    app.command("train")(train_command)
    app.command("compare")(compare_command)
    app.command("gate")(gate_command)


_register_eval_commands()


def _register_service_commands() -> None:
    from assistant.service.commands import keys_app, serve_command

    app.command("serve")(serve_command)
    app.add_typer(keys_app, name="keys")


_register_service_commands()


def main(argv: list[str] | None = None) -> None:
    """The ``assistant`` command. Usage errors are told in Vietnamese (exit code 2)."""
    try:
        code = app(args=argv, prog_name="assistant", standalone_mode=False)
    except click_errors.UsageError as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # bare "assistant": the help, as before
            exc.show()
        else:
            typer.secho(f"Lỗi: {usage_message(exc)}", fg=typer.colors.RED, err=True)
        sys.exit(exc.exit_code)
    except click_errors.ClickException as exc:
        typer.secho(f"Lỗi: {shown(exc.format_message(), limit=None)}", fg=typer.colors.RED, err=True)
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.secho("Đã dừng.", err=True)
        sys.exit(1)
    except AssistantError as exc:  # commands catch their own; this is the last net
        typer.secho(f"Lỗi: {shown(exc, limit=None)}", fg=typer.colors.RED, err=True)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
