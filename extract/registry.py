"""Which extractor reads which document type: one line per type.

An extractor is a pure function ``extract(pages, path) -> (FieldSet, list[LineItem])`` of the loaded pages
(see ``extract/pages.py``); it never opens files. A new document type is one new module plus one line here.
"""
from __future__ import annotations

import importlib
from typing import Callable

# doc_type -> module under appraiser.extract exposing ``extract(pages, path)``
EXTRACTORS: dict[str, str] = {
    "commercial_invoice": "invoice",
    "packing_list": "packing_list",
    "mill_certificate": "mill_certificate",
    "entry_summary": "entry_summary",
    "assist_invoice": "assist_invoice",
    "agreement": "agreement",
    "payment_record": "payment_record",
    "certificate_of_origin": "certificate_of_origin",
    "bill_of_lading": "bill_of_lading",
}


def extractor_for(doc_type: str) -> Callable | None:
    module = EXTRACTORS.get(doc_type)
    if module is None:
        return None
    try:
        mod = importlib.import_module(f"appraiser.extract.{module}")
    except ModuleNotFoundError as exc:
        if exc.name == f"appraiser.extract.{module}":
            return None
        raise
    return getattr(mod, "extract")
