"""The hand-written sample inbox of the sample company (samples/inbox), rebuilt byte for byte by

    python -m samples.curated [OUT_DIR] [--config DIR]

The texts are written for samples/company (its customers and SKUs); senders and the seller are read
from that folder so the mails and the company configuration cannot drift apart.
"""

from __future__ import annotations

from samples.curated import attachments, injections, prose, requests, tricky
from samples.dataset import LabelledDocument
from schemas.company import CompanyConfig


def curated_documents(company: CompanyConfig) -> list[LabelledDocument]:
    """Every curated document, ordered by file name."""
    documents = [
        *requests.documents(company),
        *attachments.documents(company),
        *tricky.documents(company),
        *injections.documents(company),
        *prose.documents(company),
    ]
    return sorted(documents, key=lambda doc: doc.name)
