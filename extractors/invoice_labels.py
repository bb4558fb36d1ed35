"""The words invoices and order forms use for their columns and fields, in Korean, English, German, French, Dutch.

Kept in one place so the table finder (layout_tables) and the invoice reader agree on what a header means.
Matching is on normalised text: lower case, no spaces, no trailing punctuation.
"""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz, process

COLUMN_LABELS: dict[str, tuple[str, ...]] = {
    "description": (
        "description",
        "item",
        "items",
        "itemdescription",
        "article",
        "artikel",
        "product",
        "produkt",
        "produit",
        "bezeichnung",
        "beschreibung",
        "artikelbezeichnung",
        "leistung",
        "désignation",
        "designation",
        "libellé",
        "omschrijving",
        "name",
        "service",
        "품목",
        "품명",
        "품목명",
        "상품명",
        "제품명",
        "내역",
        "품목및규격",
    ),
    "quantity": (
        "quantity",
        "qty",
        "qté",
        "quantité",
        "nombre",
        "menge",
        "anzahl",
        "aantal",
        "hoeveelheid",
        "수량",
        "pcs",
        "count",
    ),
    "unit_price": (
        "unitprice",
        "price",
        "priceunit",
        "unitcost",
        "rate",
        "prix",
        "prixunitaire",
        "pu",
        "p.u",
        "einzelpreis",
        "preis",
        "e-preis",
        "vk-preis",
        "stückpreis",
        "nettopreis",
        "einzel/€",
        "einzel",
        "prijs",
        "prijsperstuk",
        "단가",
        "unitpricenet",
        "priceperunit",
    ),
    "amount": (
        "amount",
        "total",
        "linetotal",
        "gesamt",
        "gesamt/€",
        "gesamtpreis",
        "gesamtbetrag",
        "betrag",
        "zeilenbetrag",
        "positionsbetrag",
        "positions-betrag",
        "montant",
        "montantht",
        "totalht",
        "bedrag",
        "prijsincl.btw",
        "금액",
        "공급가액",
        "합계",
        "subtotal",
        "nettobetrag",
    ),
    "unit": ("unit", "uom", "einheit", "unité", "eenheid", "단위"),
    "tax": ("tax", "taxes", "vat", "vat%", "mwst", "ust", "ust.", "tva", "btw", "세액", "부가세", "tax%"),
    "position": ("pos", "pos.", "#", "no", "no.", "nr", "nr.", "번호", "순번", "n°", "line"),
    "code": ("code", "sku", "art-nr", "artnr", "artikelnummer", "ref", "référence", "reference", "품번", "코드"),
    "spec": ("규격", "spec", "specification", "규격및사양"),
    "discount": ("disc", "disc.%", "discount", "rabatt", "rabatt%", "remise", "korting", "할인"),
}

FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "number": (
        "invoice number",
        "invoice no",
        "invoice #",
        "invoice nr",
        "invoice",
        "rechnungsnr",
        "rechnungsnummer",
        "rechnung nr",
        "rechnung #",
        "rechnung",
        "handelsrechnung nr",
        "facture n°",
        "facture no",
        "numéro de facture",
        "facture",
        "factuurnummer",
        "factuur",
        "문서번호",
        "거래번호",
        "발주번호",
        "계산서번호",
        "승인번호",
        "번호",
    ),
    "date": (
        "invoice date",
        "date of issue",
        "issue date",
        "issued at",
        "date",
        "rechnungsdatum",
        "datum",
        "vom",
        "date de facture",
        "date facture",
        "factuurdatum",
        "factuur datum",
        "거래일자",
        "작성일자",
        "발행일자",
        "발주일자",
        "발행일",
        "일자",
    ),
    "net": (
        "subtotal",
        "sub-total",
        "net total",
        "net amount",
        "total net",
        "total excl",
        "nettobetrag",
        "summe netto",
        "netto",
        "rechnungssumme ohne ust",
        "positionssumme",
        "total ht",
        "montant ht",
        "exclusief btw",
        "subtotaal",
        "공급가액 합계",
        "공급가액",
        "소계",
    ),
    "tax": (
        "tax",
        "vat total",
        "vat",
        "sales tax",
        "mwst",
        "umsatzsteuer",
        "ust. gesamt",
        "ust",
        "steuerbetrag",
        "tva",
        "total tva",
        "btw",
        "세액 합계",
        "세액",
        "부가세",
        "부가가치세",
    ),
    "gross": (
        "grand total",
        "total due",
        "amount due",
        "due payable",
        "total amount",
        "invoice total",
        "total",
        "gesamtbetrag",
        "rechnungsbetrag",
        "bruttobetrag",
        "bruttosumme",
        "rechnungssumme",
        "total ttc",
        "montant ttc",
        "somme à payer",
        "zahlbetrag",
        "net à payer",
        "totaal",
        "factuur totaal",
        "합계금액",
        "총합계",
        "총액",
        "합계",
        "청구금액",
    ),
    "supplier": (
        "seller",
        "supplier",
        "vendor",
        "from",
        "verkäufer",
        "lieferant",
        "fournisseur",
        "vendeur",
        "공급자",
        "판매자",
    ),
    "buyer": (
        "bill to",
        "billed to",
        "invoice to",
        "customer",
        "buyer",
        "sold to",
        "käufer",
        "kunde",
        "rechnungsempfänger",
        "käufer/leistungsempfänger",
        "client",
        "acheteur",
        "factuuradres",
        "klant",
        "공급받는자",
        "구매자",
    ),
}

NOT_TOTALS = (
    "gesamtbetrag der zuschläge", "gesamtbetrag der abschläge", "erhaltene anzahlungen", "total excl. discount",
    "total discount", "total des remises", "tax rate", "tax id", "vat id", "vat number", "vat no", "ust-id",
    "ust.-id.-nr.", "ust-idnr", "btw nummer", "btw-nummer", "tva intracommunautaire", "numéro de tva",
)  # fmt: skip

# Document titles that make a page an invoice (or a Korean statement of delivered goods that works as one).
INVOICE_TITLES = (
    "invoice",
    "tax invoice",
    "rechnung",
    "handelsrechnung",
    "facture",
    "factuur",
    "fattura",
    "세금계산서",
    "거래명세서",
    "거래명세표",
    "계산서",
    "청구서",
)

_SEPARATORS = re.compile(r"[\s:：]+")


def normalise_label(text: str) -> str:
    """`Unit Price:` -> `unitprice`; `공급 가액` -> `공급가액`."""
    text = unicodedata.normalize("NFC", text).lower()
    return _SEPARATORS.sub("", text).strip(".,;")


_COLUMN_BY_LABEL = {normalise_label(label): role for role, labels in COLUMN_LABELS.items() for label in labels}
_FUZZY_MIN_LENGTH = 4  # shorter labels (`Qty`, `Pos`) differ from other words by a letter or two
_FUZZY_SCORE = 84  # `Zellenbetrag` (OCR) for `Zeilenbetrag`, `Omschrilving` for `Omschrijving`


def column_role(text: str, fuzzy: bool = True) -> str | None:
    """The column a header cell names (`Einzelpreis` -> unit_price), or None; with `fuzzy`, OCR slips of a
    letter are forgiven (only for single words: `BTW Hoeveelheid` must not pass for `Hoeveelheid`)."""
    key = normalise_label(text)
    role = _COLUMN_BY_LABEL.get(key)
    if role is not None or not fuzzy or len(key) < _FUZZY_MIN_LENGTH:
        return role
    found = process.extractOne(key, _COLUMN_BY_LABEL.keys(), scorer=fuzz.ratio, score_cutoff=_FUZZY_SCORE)
    return _COLUMN_BY_LABEL[found[0]] if found else None
