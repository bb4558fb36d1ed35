"""Errors the repository functions raise; callers record them against the document instead of crashing."""

from __future__ import annotations


class StoreError(Exception):
    """Base class for every error raised by the store."""


class NotFoundError(StoreError, LookupError):
    """The row a caller named (a document, a task, a user ...) does not exist."""


class ConflictError(StoreError):
    """The write would break a rule of the data: a second quote for a document, a task decided twice."""
