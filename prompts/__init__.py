"""Versioned prompt files. A prompt `NAME` is `NAME.system.md`, `NAME.user.md` and any `NAME.example*.md`.

The prompt's sha256 covers every one of its files, so the audit record says exactly which text the model saw.
Placeholders in the user template are written `{{key}}`; values are inserted verbatim (documents contain braces).
"""

from __future__ import annotations

import hashlib
import importlib.resources
import re
from dataclasses import dataclass
from importlib.resources.abc import Traversable

_EXAMPLE_SECTIONS = re.compile(r"^## document\n(?P<document>.*?)\n## answer\n(?P<answer>.*?)\s*$", re.DOTALL)
_VERSION = re.compile(r"_(v\d+)$")
# A document must not be able to close its own delimiters and speak outside them.
_DELIMITER_TAG = re.compile(r"<\s*/?\s*document\s*>", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


class PromptError(ValueError):
    """A prompt file is missing or malformed."""


@dataclass(frozen=True)
class PromptExample:
    document: str
    answer: str


@dataclass(frozen=True)
class Prompt:
    name: str
    version: str
    text: str
    user_template: str
    examples: tuple[PromptExample, ...]
    sha256: str

    def render_user(self, **values: str) -> str:
        """The user message: the template with each `{{key}}` replaced; delimiter tags in values are defused."""

        def substitute(match: re.Match[str]) -> str:
            key = match.group(1)
            if key not in values:
                raise PromptError(f"prompt {self.name}: no value for placeholder {{{{{key}}}}}")
            return _DELIMITER_TAG.sub("[document tag removed]", values[key])

        return _PLACEHOLDER.sub(substitute, self.user_template)


def _read(folder: Traversable, file_name: str) -> str:
    path = folder / file_name
    if not path.is_file():
        raise PromptError(f"prompt file {file_name} is missing")
    return path.read_text(encoding="utf-8")


def _parse_example(file_name: str, content: str) -> PromptExample:
    match = _EXAMPLE_SECTIONS.match(content)
    if not match:
        raise PromptError(f"prompt example {file_name} needs a '## document' and then an '## answer' section")
    return PromptExample(document=match.group("document").strip(), answer=match.group("answer").strip())


def load_prompt(name: str, folder: Traversable | None = None) -> Prompt:
    """Load prompt `name` (e.g. "extract_v2") from this package's folder, or from `folder`."""
    folder = folder or importlib.resources.files(__name__)
    example_names = sorted(
        entry.name for entry in folder.iterdir() if entry.name.startswith(f"{name}.example") and entry.is_file()
    )
    files = {f"{name}.system.md": "", f"{name}.user.md": "", **dict.fromkeys(example_names, "")}
    for file_name in files:
        files[file_name] = _read(folder, file_name)
    digest = hashlib.sha256()
    for file_name, content in files.items():
        digest.update(file_name.encode("utf-8") + b"\0" + content.encode("utf-8") + b"\0")
    version = _VERSION.search(name)
    return Prompt(
        name=name,
        version=version.group(1) if version else name,
        text=files[f"{name}.system.md"].strip(),
        user_template=files[f"{name}.user.md"].strip(),
        examples=tuple(_parse_example(n, files[n]) for n in example_names),
        sha256=digest.hexdigest(),
    )
