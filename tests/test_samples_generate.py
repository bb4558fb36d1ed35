"""The generator works for any company folder, is reproducible, and its labels say what the documents say."""

from __future__ import annotations

import email
import io
import re
from email import policy
from pathlib import Path

import pdfplumber
import pytest

from samples.dataset import KINDS, LabelledDocument, read_labels
from samples.generate import generate_documents, main
from samples.templates import TEMPLATES
from schemas.company import CatalogItem, CompanyConfig, load_company

ROOT = Path(__file__).resolve().parent.parent
COMPANIES = {"sample": ROOT / "samples" / "company", "second": ROOT / "tests" / "companies" / "second"}


@pytest.fixture(scope="module", params=COMPANIES.values(), ids=COMPANIES.keys())
def generated(request: pytest.FixtureRequest) -> tuple[CompanyConfig, list[LabelledDocument]]:
    company = load_company(request.param)
    return company, generate_documents(company, count=len(TEMPLATES), seed=42)


def _wordings(item: CatalogItem) -> list[str]:
    return [w.lower() for w in (item.sku, item.name, *item.aliases)]


def _text_of(document: LabelledDocument) -> str:
    """Everything a person would read in the document: mail text parts and PDF attachments."""
    message = email.message_from_bytes(document.data, policy=policy.default)
    texts = []
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            texts.append(part.get_content())
        elif part.get_content_type() == "application/pdf":
            with pdfplumber.open(io.BytesIO(part.get_payload(decode=True))) as pdf:
                texts += [page.extract_text() for page in pdf.pages]
    return "\n".join(texts)


def test_every_template_is_dealt_and_labels_use_the_company(generated) -> None:
    company, documents = generated
    assert len(documents) == len(TEMPLATES)
    assert len({doc.name for doc in documents}) == len(documents)
    assert {doc.kind for doc in documents} == set(KINDS)
    skus = {item.sku for item in company.catalog}
    customers = {c.customer_id for c in company.customers}
    for doc in documents:
        assert doc.customer_id is None if doc.kind == "invoice" else doc.customer_id in customers
        assert {item.sku for item in doc.items} <= skus
        assert all(item.quantity > 0 for item in doc.items)
        assert (doc.kind == "other") == (not doc.items)


def test_labelled_items_are_written_in_the_document(generated) -> None:
    company, documents = generated
    catalog = {item.sku: item for item in company.catalog}
    for doc in documents:
        if doc.name.endswith(".png"):
            continue  # a scan: its text is checked by OCR in test_samples_inbox
        text = _text_of(doc).lower()
        numbers = set(re.findall(r"\d[\d,]*", text))
        for item in doc.items:
            assert any(w in text for w in _wordings(catalog[item.sku])), (doc.name, item.sku)
            assert {str(item.quantity), f"{item.quantity:,}"} & numbers, (doc.name, item)


def test_mentions_only_this_company(generated) -> None:
    company, documents = generated
    others = [other for other in map(load_company, COMPANIES.values()) if other.seller.name != company.seller.name]
    foreign = {c.name for other in others for c in other.customers} | {other.seller.name for other in others}
    for doc in documents:
        if doc.name.endswith(".eml"):
            text = _text_of(doc)
            assert not [name for name in foreign if name in text], doc.name


@pytest.mark.slow
def test_same_seed_same_bytes_other_seed_other_documents() -> None:
    company = load_company(COMPANIES["second"])
    first = generate_documents(company, count=3, seed=3)
    again = generate_documents(company, count=3, seed=3)
    assert any(d.name.endswith(".png") for d in first), "the seeded scan noise is covered too"
    assert [(d.name, d.data) for d in first] == [(d.name, d.data) for d in again]
    other = generate_documents(company, count=2, seed=5)
    assert not {d.data for d in first} & {d.data for d in other}


def test_committed_second_inbox_is_reproducible() -> None:
    company = load_company(COMPANIES["second"])
    inbox = COMPANIES["second"] / "inbox"
    for doc in generate_documents(company, count=4, seed=17):
        assert (inbox / "docs" / doc.name).read_bytes() == doc.data, (
            f"{doc.name} is stale: python -m samples.generate {inbox} --count 4 --seed 17 "
            f"--config {COMPANIES['second']} --overwrite"
        )


def test_command_line_writes_a_dataset_and_refuses_to_leave_stale_files(tmp_path: Path, capsys) -> None:
    out = tmp_path / "set"
    config = str(COMPANIES["second"])
    assert main([str(out), "--count", "3", "--seed", "9", "--config", config]) == 0
    labels = read_labels(out / "labels.jsonl")
    assert [label["file"] for label in labels] == sorted(f"docs/{p.name}" for p in (out / "docs").iterdir())
    (out / "docs" / "stray.eml").write_bytes(b"")
    assert main([str(out), "--count", "3", "--seed", "9", "--config", config]) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert main([str(out), "--count", "3", "--seed", "9", "--config", config, "--overwrite"]) == 0
    assert not (out / "docs" / "stray.eml").exists()
    assert main([str(out), "--config", str(tmp_path / "missing")]) == 2
