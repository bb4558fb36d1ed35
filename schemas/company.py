"""The company configuration folder (catalog.csv, customers.csv, company.yaml, pricing.yaml)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

from schemas.business_no import is_formatted, is_valid_business_no

CATALOG_COLUMNS = ("sku", "name", "unit", "unit_price", "aliases")
CUSTOMER_COLUMNS = ("customer_id", "name", "aliases", "email", "business_no", "group")


class ConfigError(ValueError):
    """A problem in the company folder, naming the file, the line and the column."""

    def __init__(self, path: Path, message: str, line: int | None = None, column: str | None = None):
        where = str(path)
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column '{column}'"
        super().__init__(f"{where}: {message}")
        self.path, self.line, self.column = path, line, column


def _split_aliases(value: str) -> list[str]:
    return [a.strip() for a in (value or "").split("|") if a.strip()]


def _business_no(value: str) -> str:
    if not is_formatted(value):
        raise ValueError("must be NNN-NN-NNNNN")
    if not is_valid_business_no(value):
        raise ValueError("check digit does not match (not a valid 사업자등록번호)")
    return value


class CatalogItem(BaseModel):
    sku: str = Field(min_length=1)
    name: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    unit_price: int = Field(ge=0, description="integer, in the company's currency")
    aliases: list[str] = Field(default_factory=list)

    _split = field_validator("aliases", mode="before")(lambda v: _split_aliases(v) if isinstance(v, str) else v)


class Customer(BaseModel):
    customer_id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    email: str = ""
    business_no: str = ""
    group: str = ""

    _split = field_validator("aliases", mode="before")(lambda v: _split_aliases(v) if isinstance(v, str) else v)

    @field_validator("business_no")
    @classmethod
    def _check_business_no(cls, v: str) -> str:
        return _business_no(v) if v else v

    @property
    def email_domain(self) -> str | None:
        return self.email.rsplit("@", 1)[1].lower() if "@" in self.email else None


class BankAccount(BaseModel):
    bank: str
    number: str
    holder: str


class Seller(BaseModel):
    name: str
    name_en: str | None = None
    business_no: str
    representative: str | None = None
    address: str
    phone: str
    email: str
    bank_account: BankAccount | None = None
    quote_validity_days: int = Field(default=30, ge=1)
    currency: str = "KRW"
    quote_prefix: str = "Q"

    _check = field_validator("business_no")(classmethod(lambda cls, v: _business_no(v)))


class CompanyConfig(BaseModel):
    folder: Path
    seller: Seller
    catalog: list[CatalogItem]
    customers: list[Customer]
    pricing_path: Path | None = None

    def item(self, sku: str) -> CatalogItem | None:
        return next((i for i in self.catalog if i.sku == sku), None)

    def customer(self, customer_id: str) -> Customer | None:
        return next((c for c in self.customers if c.customer_id == customer_id), None)


def _read_csv(path: Path, columns: tuple[str, ...], model: type[BaseModel]) -> list[Any]:
    if not path.is_file():
        raise ConfigError(path, "file is missing")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise ConfigError(path, f"missing column(s) {', '.join(missing)}; expected {','.join(columns)}", 1)
        rows, seen = [], set()
        for line_no, row in enumerate(reader, start=2):
            try:
                obj = model.model_validate({k: (v or "").strip() for k, v in row.items() if k})
            except ValidationError as exc:
                err = exc.errors()[0]
                column = str(err["loc"][0]) if err["loc"] else None
                raise ConfigError(path, err["msg"], line_no, column) from None
            key = getattr(obj, columns[0])
            if key in seen:
                raise ConfigError(path, f"duplicate {columns[0]} '{key}'", line_no, columns[0])
            seen.add(key)
            rows.append(obj)
    if not rows:
        raise ConfigError(path, "no rows")
    return rows


def load_company(folder: Path | str) -> CompanyConfig:
    """Load and validate a company folder; raise ConfigError naming file, line and column."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ConfigError(folder, "company folder does not exist")
    company_file = folder / "company.yaml"
    if not company_file.is_file():
        raise ConfigError(company_file, "file is missing")
    try:
        raw = yaml.safe_load(company_file.read_text(encoding="utf-8")) or {}
        seller = Seller.model_validate(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(company_file, f"not valid YAML: {exc}", mark.line + 1 if mark else None) from None
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ConfigError(company_file, err["msg"], column=".".join(map(str, err["loc"]))) from None
    pricing = folder / "pricing.yaml"
    return CompanyConfig(
        folder=folder,
        seller=seller,
        catalog=_read_csv(folder / "catalog.csv", CATALOG_COLUMNS, CatalogItem),
        customers=_read_csv(folder / "customers.csv", CUSTOMER_COLUMNS, Customer),
        pricing_path=pricing if pricing.is_file() else None,
    )


class LearntAliases(BaseModel):
    """Aliases reviewers taught the matcher (kept in the store, not in the company CSVs)."""

    sku: dict[str, str] = Field(default_factory=dict, description="alias text -> sku")
    customer: dict[str, str] = Field(default_factory=dict, description="alias text -> customer_id")
