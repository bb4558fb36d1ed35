"""Request bodies as flat string maps: the review form, or the same keys posted as JSON by the live preview."""

from __future__ import annotations

import json

from fastapi import HTTPException, Request


async def form_fields(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


async def json_fields(request: Request) -> dict[str, str]:
    try:
        body = json.loads(await request.body() or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise HTTPException(status_code=400, detail="body must be a JSON object") from None
    if not isinstance(body, dict):
        raise HTTPException(status_code=400, detail="body must be a JSON object")
    fields: dict[str, str] = {}
    for key, value in body.items():
        if isinstance(value, bool):
            fields[str(key)] = "on" if value else ""
        elif isinstance(value, str | int | float) or value is None:
            fields[str(key)] = "" if value is None else str(value)
    return fields
