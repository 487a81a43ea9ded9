"""Prompts as files with declared variables (``prompts/<name>.txt``).

The first line declares the variables, ``# variables: question, passages`` (``# variables:``
alone for none); the rest is the template with ``{name}`` placeholders. Rendering fills them
in one pass — a value that itself holds ``{x}`` is left as it is — and refuses a missing or
an undeclared variable, naming what the prompt needs and what was given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import ConfigurationError

__all__ = ["Prompt", "load_prompt"]

_HEADER = re.compile(r"#\s*variables\s*:(.*)")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_]\w*)\}")


@dataclass(frozen=True)
class Prompt:
    name: str
    variables: tuple[str, ...]
    template: str

    @classmethod
    def parse(cls, name: str, text: str) -> "Prompt":
        header, _, body = text.partition("\n")
        m = _HEADER.fullmatch(header.strip())
        if not m:
            raise ConfigurationError(
                f"Prompt '{name}' thiếu dòng khai báo biến ở đầu tệp.",
                hint="Dòng đầu tiên phải có dạng: # variables: question, passages",
            )
        declared = tuple(v.strip() for v in m.group(1).split(",") if v.strip())
        used = set(_PLACEHOLDER.findall(body))
        undeclared = sorted(used - set(declared))
        unused = sorted(set(declared) - used)
        if undeclared or unused:
            raise ConfigurationError(
                f"Prompt '{name}' không khớp khai báo biến: dùng mà chưa khai báo {undeclared}, "
                f"khai báo mà không dùng {unused}.",
                hint=f"Hãy sửa dòng đầu thành: # variables: {', '.join(sorted(used))}",
            )
        return cls(name, declared, body)

    def render(self, **values: object) -> str:
        missing = [v for v in self.variables if v not in values]
        extra = sorted(set(values) - set(self.variables))
        if missing or extra:
            problem = (
                (f"thiếu biến {missing}" if missing else "")
                + ("; " if missing and extra else "")
                + (f"biến không khai báo {extra}" if extra else "")
            )
            raise ConfigurationError(
                f"Không điền được prompt '{self.name}': {problem}.",
                hint=f"Cần: {list(self.variables)}; đã truyền: {sorted(values)}.",
            )
        return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), self.template)


def load_prompt(name: str, prompts_dir: Path) -> Prompt:
    """Read ``prompts_dir/<name>.txt``."""
    path = Path(prompts_dir) / f"{name}.txt"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(
            f"Không đọc được tệp prompt {path}.", hint="Hãy kiểm tra thư mục prompts/ của dự án."
        ) from exc
    return Prompt.parse(name, text)
