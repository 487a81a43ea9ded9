"""A small, safe, deterministic calculator for figures read from the documents.

Expressions use plain decimals (``72524 - 39217.236``): a dot is a decimal point and there
are no thousands separators. They are parsed with :mod:`ast` and evaluated by walking a
whitelist — numbers, ``+ - * / **``, unary minus, parentheses and the functions in
:data:`FUNCTIONS` — never with ``eval``. Limits keep every evaluation small: at most
:data:`MAX_LENGTH` characters and :data:`MAX_NODES` nodes, exponents up to
:data:`MAX_EXPONENT` on bases up to :data:`MAX_BASE`, finite results up to
:data:`MAX_MAGNITUDE`.

The LangChain :data:`calculator_tool` (what a language model calls) additionally refuses a
literal such as ``72.524``: copied from a Vietnamese document it means 72524, so the model is
asked to write ``72524`` (or ``72.5240`` if it really is a decimal). :func:`evaluate` and
:func:`calculate`, called by code with plain decimals, read ``72.524`` as 72.524.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Context, Decimal

from assistant.errors import CalculationError
from assistant.models import Calculation, Operand
from assistant.vietnamese.numbers import format_number

__all__ = [
    "FUNCTIONS",
    "MAX_BASE",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "MAX_MAGNITUDE",
    "MAX_NODES",
    "calculate",
    "calculator_text",
    "evaluate",
    "round_vn",
]

MAX_LENGTH = 500
MAX_NODES = 50
MAX_EXPONENT = 10
MAX_BASE = 1e6
MAX_MAGNITUDE = 1e18
MAX_ROUND_DIGITS = 10

_AMBIGUOUS = re.compile(r"(?<![\w.])[1-9]\d{0,2}(?:\.\d{3})+(?![\w.])")


def _round_half_up(x: float, digits: int = 0) -> float:
    d = Decimal(repr(float(x)))
    # Enough precision for every digit the quantized value keeps (the default context has 28).
    context = Context(prec=max(28, d.adjusted() + digits + 2))
    q = d.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP, context=context)
    return float(q)


def _divide(a: float, b: float) -> float:
    if b == 0:
        raise CalculationError("Không thể chia cho 0.", hint="Hãy kiểm tra lại số chia (mẫu số).")
    return a / b


def _sum(*xs: float) -> float:
    return math.fsum(xs)


def _diff(a: float, b: float) -> float:
    return a - b


def _ratio(a: float, b: float) -> float:
    return _divide(a, b)


def _percent(part: float, total: float) -> float:
    return _divide(part, total) * 100


def _percent_change(old: float, new: float) -> float:
    return _divide(new - old, old) * 100


def _remainder(target: float, current: float) -> float:
    return target - current


def _times(a: float, b: float) -> float:
    return _divide(a, b)


def _round(x: float, digits: float = 0) -> float:
    if digits != int(digits) or not 0 <= digits <= MAX_ROUND_DIGITS:
        raise CalculationError(
            f"Số chữ số làm tròn phải là số nguyên từ 0 đến {MAX_ROUND_DIGITS}.", hint="Ví dụ: round(57.956, 2)."
        )
    return _round_half_up(x, int(digits))


#: name → (function, minimum arguments, maximum arguments or None, Vietnamese meaning)
FUNCTIONS: dict[str, tuple[Callable[..., float], int, int | None, str]] = {
    "sum": (_sum, 1, None, "tổng các số"),
    "diff": (_diff, 2, 2, "hiệu a − b"),
    "ratio": (_ratio, 2, 2, "tỉ số a / b"),
    "percent": (_percent, 2, 2, "phần trăm part / total × 100"),
    "share": (_percent, 2, 2, "tỷ trọng, như percent"),
    "percent_change": (_percent_change, 2, 2, "tăng/giảm % từ old đến new"),
    "remainder": (_remainder, 2, 2, "còn thiếu target − current"),
    "times": (_times, 2, 2, "a gấp bao nhiêu lần b"),
    "round": (_round, 1, 2, "làm tròn round(x, n)"),
}

_OPERATORS: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.Pow: "**",
}


def _unsupported(what: str) -> CalculationError:
    return CalculationError(
        f"Phép toán không được hỗ trợ: {what}.",
        hint="Chỉ dùng số, + - * / ** , dấu ngoặc và các hàm: " + ", ".join(FUNCTIONS) + ".",
    )


def evaluate(expression: str) -> float:
    """Evaluate an arithmetic expression safely; raise :class:`CalculationError` otherwise."""
    if not isinstance(expression, str) or not expression.strip():
        raise CalculationError("Biểu thức trống.", hint="Hãy nhập một phép tính, ví dụ: 72524 - 39217.236.")
    if len(expression) > MAX_LENGTH:
        raise CalculationError(
            f"Biểu thức quá dài (tối đa {MAX_LENGTH} ký tự).", hint="Hãy chia thành nhiều phép tính nhỏ hơn."
        )
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise CalculationError(
            "Biểu thức không hợp lệ.", hint="Hãy dùng số thập phân kiểu 72524.5 và các phép + - * /."
        ) from exc
    nodes = sum(1 for n in ast.walk(tree) if isinstance(n, ast.expr))
    if nodes > MAX_NODES:
        raise CalculationError(
            f"Biểu thức quá phức tạp (tối đa {MAX_NODES} thành phần).", hint="Hãy chia thành nhiều phép tính nhỏ hơn."
        )
    return _checked(_eval(tree.body))


def _refuse_grouped_literals(expression: str) -> None:
    """``72.524`` copied from a Vietnamese document means 72524: make the caller say which."""
    ambiguous = _AMBIGUOUS.search(expression)
    if ambiguous:
        raw = ambiguous.group()
        raise CalculationError(
            f"Số {raw} không rõ nghĩa: theo cách viết Việt Nam đó là {raw.replace('.', '')}.",
            hint=f"Hãy viết {raw.replace('.', '')} (không dùng dấu phân cách hàng nghìn); nếu "
            f"đó là số thập phân, viết thêm chữ số 0: {raw}0.",
        )


def _checked(x: float) -> float:
    if not math.isfinite(x) or abs(x) > MAX_MAGNITUDE:
        raise CalculationError("Kết quả quá lớn hoặc không xác định.", hint="Hãy kiểm tra lại các số và phép tính.")
    return x


def _eval(node: ast.expr) -> float:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise _unsupported(f"hằng số {node.value!r}")
        try:
            return _checked(float(node.value))
        except OverflowError as exc:
            raise CalculationError("Số quá lớn.", hint="Hãy kiểm tra lại các số.") from exc
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _eval(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left, right = _eval(node.left), _eval(node.right)
        if isinstance(node.op, ast.Add):
            return _checked(left + right)
        if isinstance(node.op, ast.Sub):
            return _checked(left - right)
        if isinstance(node.op, ast.Mult):
            return _checked(left * right)
        if isinstance(node.op, ast.Div):
            return _checked(_divide(left, right))
        return _checked(_power(left, right))
    if isinstance(node, ast.Call):
        return _checked(_call(node))
    raise _unsupported(_describe(node))


def _power(base: float, exponent: float) -> float:
    if abs(exponent) > MAX_EXPONENT or abs(base) > MAX_BASE:
        raise CalculationError(
            f"Lũy thừa quá lớn (số mũ tối đa {MAX_EXPONENT}, cơ số tối đa {MAX_BASE:g}).",
            hint="Hãy dùng số mũ nhỏ hơn.",
        )
    if base == 0 and exponent < 0:
        raise CalculationError("Không thể chia cho 0.", hint="0 không có lũy thừa âm.")
    if base < 0 and exponent != int(exponent):
        raise CalculationError(
            "Không lấy được lũy thừa không nguyên của số âm.", hint="Hãy kiểm tra lại cơ số và số mũ."
        )
    try:
        return float(base**exponent)
    except OverflowError as exc:  # a tiny base to a negative power
        raise CalculationError("Kết quả quá lớn.", hint="Hãy kiểm tra lại cơ số và số mũ.") from exc


def _call(node: ast.Call) -> float:
    if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
        raise _unsupported(f"hàm {_describe(node.func)}")
    if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
        raise _unsupported(f"đối số có tên hoặc * trong {node.func.id}()")
    fn, least, most, meaning = FUNCTIONS[node.func.id]
    if len(node.args) < least or (most is not None and len(node.args) > most):
        count = str(least) if least == most else (f"{least}–{most}" if most else f"ít nhất {least}")
        raise CalculationError(
            f"Hàm {node.func.id} cần {count} số ({meaning}).", hint=f"Ví dụ: {_EXAMPLES[node.func.id]}."
        )
    return float(fn(*(_eval(a) for a in node.args)))


_EXAMPLES = {
    "sum": "sum(551, 1057, 250)",
    "diff": "diff(72524, 39217.236)",
    "ratio": "ratio(1057, 1858)",
    "percent": "percent(1057, 1858)",
    "share": "share(1057, 1858)",
    "percent_change": "percent_change(1208, 1222)",
    "remainder": "remainder(100, 59.25)",
    "times": "times(47803, 14969)",
    "round": "round(56.889, 2)",
}


def _describe(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return f"tên '{node.id}'"
    if isinstance(node, ast.Attribute):
        return f"truy cập thuộc tính '.{node.attr}'"
    if isinstance(node, ast.BinOp):
        return f"toán tử {type(node.op).__name__}"
    if isinstance(node, ast.Lambda):
        return "lambda"
    return type(node).__name__


def round_vn(x: float, decimals: int = 2) -> str:
    """Round half-up to ``decimals`` and write it the Vietnamese way (trailing zeros dropped):
    ``round_vn(56.8889)`` → ``"56,89"``, ``round_vn(1222.0)`` → ``"1.222"``."""
    return format_number(_round_half_up(x, decimals))


def calculate(expression: str, operands: list[Operand] | None = None) -> Calculation:
    """Evaluate ``expression`` and record it with the operands it was built from."""
    return Calculation(expression=expression.strip(), operands=list(operands or []), result=evaluate(expression))


TOOL_DESCRIPTION = (
    "Máy tính cho các con số trong tài liệu. Viết số thập phân kiểu 72524.5 (dấu chấm là "
    "thập phân, không dùng dấu phân cách hàng nghìn: 1.222 trong tài liệu là 1222). Dùng + - * / "
    "** và các hàm: sum(a,b,...), diff(a,b), ratio(a,b), percent(part,total), share(part,total), "
    "percent_change(old,new), remainder(target,current), times(a,b), round(x,n). Kết quả viết "
    "theo kiểu Việt Nam (59,25). | Calculator for figures from the documents: plain decimals "
    "(dot = decimal point, no thousands separators), + - * / ** and the functions above; the "
    'result is written the Vietnamese way ("1.222" = 1222, "59,25" = 59.25).'
)


def calculator_text(expression: str) -> str:
    """Evaluate an arithmetic expression; return the Vietnamese-formatted result or the error."""
    try:
        _refuse_grouped_literals(expression)
        return format_number(evaluate(expression))
    except CalculationError as exc:
        return f"Lỗi: {exc}"
