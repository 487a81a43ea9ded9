"""CLI command bodies for the server and its keys (registered on the ``assistant`` app in cli.py).

Docstrings and help texts are user-facing, hence Vietnamese.
"""

# No ``from __future__ import annotations``: typer reads these annotations at runtime.

import os
from typing import Annotated, Optional

import typer

from assistant.errors import AssistantError, ConfigurationError
from assistant.service.memory import limit_heaps
from assistant.settings import Settings

keys_app = typer.Typer(help="Quản lý khóa API: tạo, liệt kê, thu hồi.", no_args_is_help=True)


def _fail(exc: AssistantError) -> None:
    typer.secho(f"Lỗi: {exc}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=2)


def serve_command(
    host: Annotated[Optional[str], typer.Option("--host", help="Địa chỉ nghe (mặc định 127.0.0.1).")] = None,
    port: Annotated[Optional[int], typer.Option("--port", help="Cổng (mặc định 8000).", min=1, max=65535)] = None,
    workers: Annotated[Optional[int], typer.Option("--workers", help="Số tiến trình phục vụ.", min=1, max=32)] = None,
) -> None:
    """Chạy máy chủ: API tại /api/v1, tài liệu API tại /docs, giao diện trò chuyện tại /.

    Ví dụ: assistant serve --port 8000 --workers 2
    """
    import uvicorn

    # Requests run side by side; one math thread each avoids oversubscribing the cores (a query's
    # embedding is small). Set OMP_NUM_THREADS yourself to override.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    limit_heaps()  # fewer glibc heaps: lower, flatter memory under concurrent requests
    settings = Settings()
    updates = {k: v for k, v in (("host", host), ("port", port), ("workers", workers)) if v is not None}
    settings = settings.model_copy(update=updates)
    for name, value in updates.items():  # worker processes read their settings from the environment
        os.environ[f"ASSISTANT_{name.upper()}"] = str(value)
    try:
        from assistant.service.app import create_app

        app = create_app(settings) if settings.workers == 1 else None
    except AssistantError as exc:
        _fail(exc)
    shown = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    typer.secho(f"Trợ lý đang chạy tại http://{shown}:{settings.port}  (API: /api/v1, tài liệu API: /docs)", bold=True)
    if app is not None:
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
    else:
        from assistant.service.listeners import run_workers

        config = uvicorn.Config(
            "assistant.service.app:app_from_env",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            log_level="warning",
        )
        try:
            run_workers(config)  # one socket per worker: connections spread evenly
        except OSError as exc:
            _fail(
                ConfigurationError(
                    f"Không mở được cổng {settings.port} ({exc.strerror or exc}).",
                    hint="Cổng có thể đang được dùng: hãy chọn cổng khác (--port) hoặc dừng tiến trình đang giữ nó.",
                )
            )


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Option("--name", help="Tên gợi nhớ, ví dụ 'cong-thong-tin-so'.")],
    role: Annotated[str, typer.Option("--role", help="reader (đọc) hoặc admin (quản trị).")] = "reader",
    group: Annotated[Optional[list[str]], typer.Option("--group", help="Nhóm được xem (lặp lại được).")] = None,
) -> None:
    """Tạo khóa mới; khóa chỉ hiện một lần.  Ví dụ: assistant keys create --name cong-tinh --role reader"""
    from assistant.service.access import KeyRing
    from assistant.service.state import StateStore

    settings = Settings()
    try:
        key, key_id = KeyRing(StateStore(settings.state_dir / "state.db"), settings).create(name, role, group or [])
    except AssistantError as exc:
        _fail(exc)
    typer.echo(f"Đã tạo khóa {key_id} ({role}). Hãy lưu lại, khóa không hiện lần nữa:\n{key}")


@keys_app.command("list")
def keys_list() -> None:
    """Liệt kê các khóa (không hiện khóa, chỉ mã và vai trò)."""
    import json
    import time

    from assistant.service.state import StateStore

    rows = StateStore(Settings().state_dir / "state.db").keys()
    if not rows:
        typer.echo("Chưa có khóa nào. Tạo khóa: assistant keys create --name ... --role admin")
    for r in rows:
        state = "đã thu hồi" if r["revoked"] else "hiệu lực"
        groups = ", ".join(json.loads(r["groups"])) or "—"
        created = time.strftime("%Y-%m-%d %H:%M", time.localtime(r["created"]))
        typer.echo(f"{r['id']}  {r['role']:<6}  {state:<11}  nhóm: {groups}  {r['name']!r}  tạo {created}")


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="Mã khóa (cột đầu của 'assistant keys list').")]) -> None:
    """Thu hồi một khóa.  Ví dụ: assistant keys revoke 1a2b3c4d"""
    from assistant.service.state import StateStore

    if StateStore(Settings().state_dir / "state.db").revoke_key(key_id):
        typer.echo(f"Đã thu hồi khóa {key_id}.")
    else:
        typer.secho(f"Không có khóa hiệu lực mã {key_id}. Xem: assistant keys list", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=2)
