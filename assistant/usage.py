"""Command-line usage errors (unknown option, missing argument, bad value …) told in Vietnamese.

Typer/click raise these in English; :func:`usage_message` rewrites each from the exception's own
fields (the option's name, pydantic's error type and limits), not by translating its English text
where a field exists. Anything not recognised still gets a Vietnamese sentence, with click's
detail after it.
"""

from __future__ import annotations

import importlib
import re

import typer

from assistant.errors import shown

#: click's exceptions module, wherever this typer keeps it (its own copy of click, or click itself).
click_errors = importlib.import_module(typer.BadParameter.__module__)


class ChoiceError(click_errors.BadParameter):
    """A bad value whose message is already Vietnamese (raised by this CLI's own checks)."""


def usage_message(exc: click_errors.UsageError) -> str:
    """One Vietnamese line saying what was wrong, and how to see the help."""
    text = _what(exc)
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        text += f"\nXem hướng dẫn: {ctx.command_path} --help"
    return text


def _what(exc: click_errors.UsageError) -> str:
    message = exc.message or ""
    if isinstance(exc, click_errors.NoSuchOption):
        text = f"Không có tùy chọn {shown(exc.option_name)}."
        if exc.possibilities:
            text += f" Có phải ý bạn là: {', '.join(sorted(exc.possibilities))}?"
        return text
    if isinstance(exc, click_errors.MissingParameter):
        kind = "đối số" if exc.param is not None and exc.param.param_type_name == "argument" else "tùy chọn"
        return f"Thiếu {kind} {_param_name(exc)}."
    if isinstance(exc, ChoiceError):
        return f"Giá trị không hợp lệ cho {_param_name(exc)}: {message}"
    if isinstance(exc, click_errors.BadParameter):
        return f"Giá trị không hợp lệ cho {_param_name(exc)}: {_bad_value(exc)}"
    if isinstance(exc, click_errors.BadOptionUsage):
        option = shown(exc.option_name)
        if "does not take a value" in message:
            return f"Tùy chọn {option} không nhận giá trị."
        return f"Tùy chọn {option} cần một giá trị."
    if m := re.match(r"No such command '(.*?)'\.(?: Did you mean '(.*?)'\?)?", message):
        text = f"Không có lệnh '{shown(m.group(1))}'."
        return text + (f" Có phải ý bạn là '{m.group(2)}'?" if m.group(2) else "")
    if message.startswith("Missing command"):
        return "Thiếu tên lệnh (index, search, ask, chat, eval …)."
    if m := re.match(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", message):
        return f"Thừa đối số: {shown(m.group(1))} (câu có dấu cách cần đặt trong dấu ngoặc kép)."
    return f"Lệnh không hợp lệ ({shown(message)})."


def _param_name(exc: click_errors.BadParameter) -> str:
    if exc.param is not None:
        opts = [o for o in getattr(exc.param, "opts", []) if o.startswith("-")]
        return " / ".join(opts) if opts else (exc.param.name or "").upper()
    return str(exc.param_hint or "")


def _bad_value(exc: click_errors.BadParameter) -> str:
    """From pydantic's structured error (type, input, limits) when there is one."""
    cause = exc.__cause__
    errors = cause.errors() if cause is not None and hasattr(cause, "errors") else []
    if not errors:
        return f"giá trị không đúng ({shown(exc.message)})."
    error = errors[0]
    value, ctx, kind = shown(error.get("input", "")), error.get("ctx") or {}, error.get("type", "")
    if kind.startswith("int_"):
        return f"'{value}' không phải một số nguyên."
    if kind.startswith("float_"):
        return f"'{value}' không phải một số."
    if kind in ("greater_than_equal", "greater_than"):
        return f"{value} nhỏ hơn giới hạn dưới {ctx.get('ge', ctx.get('gt'))}."
    if kind in ("less_than_equal", "less_than"):
        return f"{value} lớn hơn giới hạn trên {ctx.get('le', ctx.get('lt'))}."
    if kind.startswith("bool_"):
        return f"'{value}' không phải đúng/sai (true/false)."
    return f"'{value}' không dùng được ({shown(error.get('msg', ''))})."
