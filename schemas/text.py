"""Text read from each part: pages of lines and words (with OCR confidence) and tables."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

BBox = tuple[float, float, float, float]
TextMethod = Literal["plain", "html", "pdf", "ocr"]
PartStatus = Literal["ok", "needs_ocr", "error", "skipped"]


class Word(BaseModel):
    text: str
    bbox: BBox | None = None
    confidence: float = Field(default=1.0, ge=0, le=1, description="1.0 for born-digital text")


class Line(BaseModel):
    text: str
    bbox: BBox | None = None
    words: list[Word] = Field(default_factory=list)

    @property
    def confidence(self) -> float:
        return min((w.confidence for w in self.words), default=1.0)


class Table(BaseModel):
    rows: list[list[str | None]]
    bbox: BBox | None = None


class Page(BaseModel):
    number: int = Field(ge=1)
    width: float | None = None
    height: float | None = None
    method: TextMethod
    lines: list[Line] = Field(default_factory=list)
    tables: list[Table] = Field(default_factory=list)
    ocr_confidence: float | None = Field(default=None, ge=0, le=1, description="mean word confidence")

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


class PartText(BaseModel):
    part: str = Field(description="Part.name this text was read from")
    role: str
    content_type: str
    status: PartStatus = "ok"
    error: str | None = None
    pages: list[Page] = Field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\f\n".join(page.text for page in self.pages)


class DocumentText(BaseModel):
    parts: list[PartText] = Field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.parts if p.status == "ok")

    @property
    def errors(self) -> list[str]:
        return [f"{p.part}: {p.error}" for p in self.parts if p.error]
