"""`intake run` end to end on the sample inbox and on a second company: statuses, PDFs, idempotency, audit.

The deterministic extractor alone (INTAKE_LLM=off) so outcomes are exact; the LLM path has its own
end-to-end test in test_e2e_llm.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pdfplumber
import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.evaluation import load_labels
from schemas.company import load_company

ROOT = Path(__file__).resolve().parent.parent
INBOX = ROOT / "samples" / "inbox"
SECOND = ROOT / "tests" / "companies" / "second"
runner = CliRunner()

pytestmark = pytest.mark.usefixtures("prefect_harness")


def _run_json(*args: str) -> tuple[int, list[dict]]:
    result = runner.invoke(app, ["run", *args, "--json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture(scope="module")
def inbox_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, dict], Path]:
    home = tmp_path_factory.mktemp("e2e-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("INTAKE_HOME", str(home))
        code, rows = _run_json(str(INBOX / "docs"))
    return code, {Path(r["file"]).name: r for r in rows}, home


def test_every_document_gets_an_outcome(inbox_run: tuple[int, dict[str, dict], Path]) -> None:
    code, rows, _ = inbox_run
    labels = load_labels(INBOX)
    assert len(rows) == len(labels)
    assert {r["status"] for r in rows.values()} <= {"quoted", "review", "not_request", "failed", "recorded"}
    assert code == (1 if any(r["status"] == "failed" for r in rows.values()) else 0)
    for row in rows.values():
        assert set(row) >= {"file", "status", "error", "customer_id", "items", "subtotal", "vat", "total", "quote_pdf"}


def test_non_requests_and_bad_input_never_get_a_quote(inbox_run: tuple[int, dict[str, dict], Path]) -> None:
    _, rows, _ = inbox_run
    for name in ("08_out_of_office.eml", "09_newsletter.eml", "12_empty_mail.eml"):
        assert rows[name]["status"] == "not_request", name
    for name in ("10_corrupt_pdf.eml", "11_zero_byte_attachment.eml", "13_unknown_attachment.eml"):
        row = rows[name]
        assert row["status"] in ("review", "failed"), name
        assert row["quote_pdf"] is None
        assert row["error"] or row["reasons"], f"{name} ended without a reason"


def test_large_order_waits_for_an_approver(inbox_run: tuple[int, dict[str, dict], Path]) -> None:
    _, rows, _ = inbox_run
    row = rows["17_large_order.eml"]
    assert row["status"] == "review"
    assert any("approval band" in reason for reason in row["reasons"])


def test_quotes_are_priced_from_the_catalog_and_readable(inbox_run: tuple[int, dict[str, dict], Path]) -> None:
    _, rows, _ = inbox_run
    company = load_company(ROOT / "samples" / "company")
    quoted = [r for r in rows.values() if r["status"] == "quoted"]
    assert len(quoted) >= 5
    for row in quoted:
        assert row["total"] == row["subtotal"] + row["vat"]
        assert row["subtotal"] == sum(item["amount"] for item in row["items"])
        assert row["vat"] == round(row["subtotal"] / 10)
        with pdfplumber.open(row["quote_pdf"]) as pdf:
            text = "\n".join(page.extract_text() or "" for page in pdf.pages)
        customer = company.customer(row["customer_id"])
        assert customer is not None and customer.name in text
        for item in row["items"]:
            assert company.item(item["sku"]).name[:6] in text.replace("\n", "")
        assert f"{row['total']:,}" in text


def test_rerun_creates_no_second_quote(inbox_run: tuple[int, dict[str, dict], Path], monkeypatch) -> None:
    _, rows, home = inbox_run
    monkeypatch.setenv("INTAKE_HOME", str(home))
    quoted = sorted(name for name, r in rows.items() if r["status"] == "quoted")
    _, again = _run_json(*(str(INBOX / "docs" / name) for name in quoted))
    assert [r["quote_number"] for r in again] == [rows[name]["quote_number"] for name in quoted]
    assert len(list((home / "out" / "quotes").glob("*.pdf"))) == sum(r["status"] == "quoted" for r in rows.values())


def test_audit_chain_verifies_after_a_run(inbox_run: tuple[int, dict[str, dict], Path], monkeypatch) -> None:
    _, _, home = inbox_run
    monkeypatch.setenv("INTAKE_HOME", str(home))
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact" in result.output


def test_second_company_works_unchanged(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("INTAKE_HOME", str(tmp_path / "home"))
    code, rows = _run_json(str(SECOND / "inbox" / "docs"), "--config", str(SECOND))
    company = load_company(SECOND)
    assert code == 0
    customers = {c.customer_id for c in company.customers}
    assert {r["customer_id"] for r in rows} <= customers
    quoted = [r for r in rows if r["status"] == "quoted"]
    assert quoted, "no quote for the second company"
    for row in quoted:
        assert {i["sku"] for i in row["items"]} <= {i.sku for i in company.catalog}
        assert Path(row["quote_pdf"]).name.startswith(company.seller.quote_prefix)


def test_missing_file_fails_and_the_rest_goes_on(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("INTAKE_HOME", str(tmp_path / "home"))
    good = INBOX / "docs" / "01_rfq_korean.eml"
    code, rows = _run_json(str(tmp_path / "nope.eml"), str(good))
    assert code == 1
    assert rows[0]["status"] == "failed" and "cannot read" in rows[0]["error"]
    assert rows[1]["status"] in ("quoted", "review")


def test_bad_company_folder_is_bad_usage(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("INTAKE_HOME", str(tmp_path / "home"))
    broken = tmp_path / "company"
    broken.mkdir()
    for name in ("catalog.csv", "company.yaml"):
        (broken / name).write_bytes((SECOND / name).read_bytes())
    (broken / "customers.csv").write_text(
        "customer_id,name,aliases,email,business_no,group\nX1,Bad,,x@example.com,123-45-67890,\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["run", str(INBOX / "docs" / "01_rfq_korean.eml"), "--config", str(broken)])
    assert result.exit_code == 2
    assert "customers.csv, line 2, column 'business_no'" in result.output


def test_the_run_table_names_a_failed_file_once() -> None:
    """The file column names the file; its reason does not repeat it (a mail's attachment name stays)."""
    from rich.console import Console

    from flows.display import print_results
    from flows.results import DocumentResult

    console = Console(record=True, width=200)
    results = [
        DocumentResult(file="inbox/broken.pdf", status="failed", error="broken.pdf: corrupt PDF (no trailer)"),
        DocumentResult(file="inbox/mail.eml", status="failed", error="order.pdf: corrupt PDF (no trailer)"),
    ]
    print_results(console, results, Path("out"))
    text = console.export_text()
    assert text.count("broken.pdf") == 1
    assert "mail.eml" in text and "order.pdf: corrupt PDF" in text
