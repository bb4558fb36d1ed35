"""The document page (original beside fields), its page images and quote PDF, and save / approve / reject."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response

from review import decisions
from review.auth import CurrentUser, require_csrf, require_user
from review.decisions import Case, DecisionRefused, Evaluation
from review.editing import EditError
from review.fields import fields_view
from review.forms import form_fields, json_fields
from review.history import history_lines
from review.original import OriginalSource, field_evidence, media_type, part_views
from review.pages import PageRenderError, page_image_path
from review.rendering import flash_message, render, services_of, templates
from review.roles import may_act_as, role_label
from review.services import ReviewServices
from schemas.extraction import Kind
from store import audit, review
from store.db import session_scope
from store.errors import ConflictError, NotFoundError, StoreError

router = APIRouter(dependencies=[Depends(require_user), Depends(require_csrf)])
User = Annotated[CurrentUser, Depends(require_user)]
FormFields = Annotated[dict[str, str], Depends(form_fields)]
JsonFields = Annotated[dict[str, str], Depends(json_fields)]


def _case(services: ReviewServices, document_id: int) -> Case:
    try:
        return decisions.load_case(services, document_id)
    except NotFoundError:
        raise HTTPException(status_code=404, detail=f"document {document_id} does not exist") from None


def _page_source(services: ReviewServices, document_id: int) -> OriginalSource:
    return OriginalSource(services.blobs, services.settings.home / "pages", document_id)


def _quote_context(evaluation: Evaluation | None, user: CurrentUser, errors: list[str]) -> dict[str, Any]:
    return {
        "evaluation": evaluation,
        "quote": evaluation.quote if evaluation else None,
        "kind": evaluation.extraction.kind.value.value if evaluation else None,
        "may_approve": evaluation.may_approve(user.role) if evaluation else False,
        "role_ok": evaluation is not None and may_act_as(user.role, evaluation.required_role),
        "errors": errors,
        "user": user,
    }


def _document_page(
    request: Request,
    case: Case,
    user: CurrentUser,
    *,
    errors: list[str] | None = None,
    flash: str | None = None,
    status_code: int = 200,
) -> Response:
    services = services_of(request)
    evaluation = decisions.evaluate(services, case, case.extraction) if case.extraction is not None else None
    with session_scope(services.engine) as db:
        events = audit.list_events(db, document_id=case.document.id)
    evidence = field_evidence(case.extraction, services.settings) if case.extraction is not None else []
    context = {
        "case": case,
        "envelope": case.document.envelope,
        "parts": part_views(
            _page_source(services, case.document.id), case.document.envelope, case.document.text, evidence
        ),
        "fields": fields_view(case.extraction, services.settings) if case.extraction is not None else None,
        "customers": services.company.customers,
        "catalog": services.company.catalog,
        "catalog_names": {item.sku: item.name for item in services.company.catalog},
        "kinds": list(Kind),
        "history": history_lines(events),
        "flash": flash,
        "nav": "queue",
        **_quote_context(evaluation, user, errors or []),
    }
    if case.quote_row is not None:
        context["quote"] = case.quote_row.quote  # what went out, not what the rules would say today
    return render(request, "document.html", context, status_code)


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document_page(
    request: Request, document_id: int, user: User, done: int | None = None, decision: str | None = None
) -> Response:
    return _document_page(request, _case(services_of(request), document_id), user, flash=flash_message(done, decision))


@router.get("/documents/{document_id}/parts/{part_index}/pages/{page_number}.png")
def page_image(request: Request, document_id: int, part_index: int, page_number: int) -> Response:
    services = services_of(request)
    case = _case(services, document_id)
    parts = case.document.envelope.parts
    if not 0 <= part_index < len(parts):
        raise HTTPException(status_code=404, detail="no such part")
    part = parts[part_index]
    source = _page_source(services, document_id)
    try:
        path = page_image_path(
            source.page_cache, part.sha256, media_type(part.content_type)[0], page_number, lambda: source.load(part)
        )
    except (PageRenderError, StoreError) as exc:
        return PlainTextResponse(str(exc), status_code=422)
    return FileResponse(path, media_type="image/png", headers={"Cache-Control": "private, max-age=86400"})


@router.get("/documents/{document_id}/quote.pdf")
def quote_pdf(request: Request, document_id: int) -> Response:
    services = services_of(request)
    case = _case(services, document_id)
    if case.quote_row is None or not case.quote_row.pdf_sha256:
        raise HTTPException(status_code=404, detail="no quote has been issued for this document")
    try:
        data = services.blobs.get(case.quote_row.pdf_sha256)
    except StoreError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    filename = f"{case.quote_row.quote_number}.pdf"
    return Response(
        data, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{filename}"'}
    )


def _next_document(services: ReviewServices, after: int) -> int | None:
    with session_scope(services.engine) as db:
        tasks = review.open_review_tasks(db, limit=2)
    return next((task.document_id for task in tasks if task.document_id != after), None)


def _after_decision(services: ReviewServices, document_id: int, decision: str) -> RedirectResponse:
    """Straight on to the next waiting document: a reviewer clears a queue, not one page."""
    following = _next_document(services, document_id)
    target = f"/documents/{following}" if following is not None else "/"
    return RedirectResponse(f"{target}?done={document_id}&decision={decision}", status_code=303)


def _decide(request: Request, document_id: int, user: CurrentUser, form: dict[str, str], action: str) -> Response:
    services = services_of(request)
    case = _case(services, document_id)
    reason = form.get("reason", "").strip()
    try:
        if action == "reject":
            decisions.reject(services, case, user.name, reason)
        else:
            evaluation = decisions.evaluate_form(services, case, form, user.name)
            if action == "approve":
                decisions.approve(services, case, evaluation, user.name, user.role, reason)
            else:
                decisions.save(services, case, evaluation, user.name)
                return RedirectResponse(f"/documents/{document_id}?done={document_id}&decision=saved", 303)
    except EditError as exc:
        return _document_page(request, case, user, errors=exc.messages, status_code=422)
    except DecisionRefused as exc:
        return _document_page(
            request, _case(services, document_id), user, errors=exc.messages, status_code=exc.status_code
        )
    except ConflictError as exc:
        return _document_page(request, _case(services, document_id), user, errors=[str(exc)], status_code=409)
    return _after_decision(services, document_id, "approved" if action == "approve" else "rejected")


@router.post("/documents/{document_id}/save")
def save(request: Request, document_id: int, user: User, form: FormFields) -> Response:
    return _decide(request, document_id, user, form, "save")


@router.post("/documents/{document_id}/approve")
def approve(request: Request, document_id: int, user: User, form: FormFields) -> Response:
    return _decide(request, document_id, user, form, "approve")


@router.post("/documents/{document_id}/reject")
def reject(request: Request, document_id: int, user: User, form: FormFields) -> Response:
    return _decide(request, document_id, user, form, "reject")


def _fragments(context: dict[str, Any]) -> dict[str, str]:
    """The preview and the decision summary, rendered by the same templates as the page."""
    return {
        "html": templates.get_template("_quote.html").render(context),
        "summary_html": templates.get_template("_summary.html").render(context),
    }


@router.post("/api/documents/{document_id}/price")
def price_preview(request: Request, document_id: int, user: User, fields: JsonFields) -> JSONResponse:
    """The quote as edited, priced by the same engine the pipeline uses; nothing is saved."""
    services = services_of(request)
    case = _case(services, document_id)
    try:
        evaluation = decisions.evaluate_form(services, case, fields, user.name)
    except EditError as exc:
        context = _quote_context(None, user, exc.messages)
        return JSONResponse({"ok": False, "errors": exc.messages, "may_approve": False, **_fragments(context)})
    except DecisionRefused as exc:
        return JSONResponse({"ok": False, "errors": exc.messages, "may_approve": False}, exc.status_code)
    quote = evaluation.quote
    return JSONResponse(
        {
            "ok": True,
            "errors": [],
            "blockers": evaluation.blockers,
            "required_role": evaluation.required_role,
            "required_role_label": role_label(evaluation.required_role),
            "may_approve": evaluation.may_approve(user.role),
            "total": quote.total if quote else None,
            "quote": quote.model_dump(mode="json") if quote else None,
            "changes": [change.model_dump() for change in evaluation.changes],
            **_fragments(_quote_context(evaluation, user, [])),
        }
    )


@router.get("/api/documents/{document_id}/status")
def document_status(request: Request, document_id: int) -> JSONResponse:
    """Polled by the page after an approval, until the pipeline has issued the quote."""
    case = _case(services_of(request), document_id)
    return JSONResponse(
        {
            "document_id": document_id,
            "status": case.document.status.value,
            "error": case.document.error,
            "task": case.task.status.value if case.task else None,
            "quote_number": case.quote_row.quote_number if case.quote_row else None,
            "total": case.quote_row.total if case.quote_row else None,
        }
    )
