"""The look-back at scale (``fixtures/lookback.py``) and the folder-wide lookups that keep its audit linear: each
lookup gives what the scan over every entry or document it replaced gave."""
import gc
import json
import random
from pathlib import Path

import pytest

from appraiser import pipeline
from appraiser.audit import audit
from appraiser.audit.context import Context
from appraiser.audit.link import link
from appraiser.audit.section232 import shipment_documents
from appraiser.evaluation import _truth_facts
from appraiser.fixtures.lookback import build, write_store
from appraiser.models.convert import document_from_json
from appraiser.models.records import Document, Fact
from appraiser.models.store import Store

ROOT = Path(__file__).resolve().parent.parent
SPLITS = [ROOT / "fixtures" / "corpus" / name for name in ("dev", "check")]


def _truth_documents(split: Path) -> list[Document]:
    truth = json.loads((split / "truth.json").read_text(encoding="utf-8"))
    docs = [document_from_json(d) for d in truth["documents"] if not d.get("error")]
    _truth_facts(docs, any("facts" in d for d in truth["documents"]))
    return docs


def _key(findings) -> list[tuple]:
    return sorted((f.code, f.entry_number, f.line_no or 0) for f in findings)


def _planted(lb) -> list[tuple]:
    return sorted((p.code, p.entry_number, p.line_no or 0) for p in lb.planted)


def test_small_lookback_audits_to_exactly_its_planted_findings(tmp_path):
    lb = write_store(tmp_path / "lookback.db", 200, plant_every=20)
    assert lb.entries == 200 and 1600 <= lb.lines <= 2400
    assert {p.code for p in lb.planted} == {"UNDERVALUATION", "QUANTITY_MISMATCH", "MPF_MISCALCULATED"}
    assert len(lb.planted) == 10
    store = Store(tmp_path / "lookback.db")
    try:
        assert len(store.documents()) == lb.documents_written
        summary = pipeline.audit_store(store)
    finally:
        store.close()
    assert not summary.errors
    assert len(summary.entries) == 200
    assert _key(summary.findings) == _planted(lb)


def test_lookback_is_deterministic_and_its_clean_entries_are_clean():
    a, b = build(60, seed=7, plant_every=1000), build(60, seed=7, plant_every=1000)
    assert [d.to_json() for d in a.documents] == [d.to_json() for d in b.documents]
    assert a.planted == [] and audit(a.documents).findings == []
    assert [d.to_json() for d in build(60, seed=8).documents] != [d.to_json() for d in a.documents]


def _links(linked) -> dict:
    return {e.entry_number: sorted((lk.path, lk.reason, lk.confidence) for lk in e.links) for e in linked.entries}


@pytest.mark.parametrize("split", SPLITS, ids=lambda p: p.name)
def test_linking_does_not_depend_on_the_order_of_the_documents(split):
    docs = _truth_documents(split) + build(40, plant_every=10).documents
    shuffled = list(docs)
    random.Random(3).shuffle(shuffled)
    a, b = link(docs), link(shuffled)
    assert _links(a) == _links(b)
    assert a.unlinked == b.unlinked
    assert _key(audit(docs).findings) == _key(audit(shuffled).findings)


@pytest.mark.parametrize("split", SPLITS, ids=lambda p: p.name)
def test_the_folder_wide_lookups_give_what_a_scan_of_every_entry_gives(split):
    docs = _truth_documents(split)
    linked = link(docs)
    for d in docs:  # Context.entries_with, through the linking's index
        ctx = Context(linked.entries[0], linked)
        assert ctx.entries_with(d.path) == [e for e in linked.entries if d.path in e.documents]
    for t in {d.doc_type for d in docs} | {"no_such_type"}:  # Linked.of_type
        assert linked.of_type(t) == [d for d in linked.by_path.values() if d.doc_type == t]
    assert linked.linked_paths() == {p for e in linked.entries for p in e.documents}
    assert linked.linked_paths() and set(linked.unlinked) == set(linked.by_path) - linked.linked_paths()


def _shipment_documents_by_scan(ctx: Context) -> list[Document]:
    """The unlinked documents beside an entry's, as found before the folders were indexed: a scan of every
    document and every entry."""
    def folder(p):
        return p.rsplit("/", 1)[0] if "/" in p else ""

    docs = list(ctx.documents())
    mine = {folder(d.path) for d in docs if d.doc_type in ("entry_summary", "commercial_invoice", "packing_list")}
    every_linked = {p for e in ctx.entries for p in e.documents}
    others = {folder(p) for e in ctx.entries if e is not ctx.entry for p in e.documents
              if ctx.linked.by_path[p].doc_type == "entry_summary"}
    numbers = {n for d in docs if d.doc_type in ("commercial_invoice", "entry_summary")
               for n in (d.get("invoice_number"), d.get("po_number")) if n}
    numbers |= set(ctx.entry.header.get("invoice_numbers") or []) | {ctx.entry.entry_number}
    from appraiser.extract.normalize import id_key
    wanted = {k for k in map(lambda n: id_key(str(n)), numbers) if len(k) >= 2 and any(c.isdigit() for c in k)}
    for d in ctx.linked.by_path.values():
        if d.path in every_linked or folder(d.path) not in mine:
            continue
        said = {w for f in d.facts_of("identifiers") for w in f.value or []}
        if folder(d.path) not in others or said & wanted:
            docs.append(d)
    return docs


def _beside(path: str, doc_type: str = "other", words: list[str] | None = None) -> Document:
    d = Document.of(path, doc_type, {})
    if words:
        d.facts = [Fact("identifiers", words)]
    return d


def test_shipment_documents_are_the_unlinked_ones_beside_the_entry():
    lb = build(6, plant_every=1000).documents
    summaries = [d for d in lb if d.doc_type == "entry_summary"]
    own = summaries[0].path.rsplit("/", 1)[0]
    # a folder shared by two entries: the other entry's summary moved beside the first one's
    moved = summaries[1]
    moved.path = own + "/7501 second.pdf"
    invoice = next(d for d in lb if d.doc_type == "commercial_invoice" and d.path.startswith(own + "/"))
    extra = [_beside(own + "/cost breakdown.pdf"),
             _beside(own + "/naming the invoice.pdf", words=[invoice.get("invoice_number").replace("-", "")]),
             _beside(summaries[2].path.rsplit("/", 1)[0] + "/bill of materials.pdf"),
             _beside("elsewhere/loose.pdf")]
    linked = link(lb + extra)
    seen = {}
    for e in linked.entries:
        ctx = Context(e, linked)
        got = shipment_documents(ctx)
        assert [d.path for d in got] == [d.path for d in _shipment_documents_by_scan(ctx)]
        seen[e.entry_number] = {d.path for d in got} - set(e.documents)
    assert "elsewhere/loose.pdf" not in set().union(*seen.values())
    assert sum(own + "/cost breakdown.pdf" in s for s in seen.values()) == 0  # a shared folder names no one
    assert extra[2].path in set().union(*seen.values())
    first = next(e for e in linked.entries if summaries[0].path in e.documents)
    assert seen[first.entry_number] == {extra[1].path}  # in the shared folder, the one naming its invoice


@pytest.mark.parametrize("split", SPLITS, ids=lambda p: p.name)
def test_shipment_documents_of_the_corpus_are_unchanged(split):
    linked = link(_truth_documents(split))
    for e in linked.entries:
        ctx = Context(e, linked)
        assert [d.path for d in shipment_documents(ctx)] == [d.path for d in _shipment_documents_by_scan(ctx)]


def test_packing_lists_join_the_entries_sharing_their_numbers_only():
    lb = build(30, plant_every=1000).documents
    linked = link(lb)
    packing = [d for d in lb if d.doc_type == "packing_list"]
    assert packing
    for pl in packing:
        entries = linked.entries_of(pl.path)
        assert len(entries) == 1
        invoices = linked.documents(entries[0], "commercial_invoice")
        assert pl.get("invoice_number") in {i.get("invoice_number") for i in invoices}
    # a packing list naming a PO number two entries' invoices share joins both; one naming nothing joins none
    inv = [d for d in lb if d.doc_type == "commercial_invoice"]
    inv[1].fields.set("po_number", inv[0].get("po_number"))
    shared = Document.of("shared/packing list.pdf", "packing_list", {"po_number": inv[0].get("po_number")})
    loose = Document.of("loose/packing list.pdf", "packing_list", {"po_number": "PO-NOWHERE-1"})
    linked = link(lb + [shared, loose])
    assert len(linked.entries_of(shared.path)) == 2
    assert linked.entries_of(loose.path) == [] and loose.path in linked.unlinked


def test_documents_saved_in_bulk_read_back_as_saved_one_by_one(tmp_path):
    docs = build(5, plant_every=2).documents
    one, bulk = Store(tmp_path / "one.db"), Store(tmp_path / "bulk.db")
    try:
        for s in (one, bulk):
            (tmp_path / "docs").mkdir(exist_ok=True)
            s.enter(tmp_path / "docs")
        for d in docs:
            one.save_document(d, "v1")
        assert bulk.save_documents(docs, "v1") == len(docs)
        assert [d.to_json() for d in one.documents()] == [d.to_json() for d in bulk.documents()]
        assert [d.path for d in bulk.documents()] == sorted(d.path for d in docs)
    finally:
        one.close()
        bulk.close()


def test_reading_the_documents_leaves_the_collector_as_it_was(tmp_path):
    write_store(tmp_path / "lookback.db", 3)
    store = Store(tmp_path / "lookback.db")
    try:
        assert gc.isenabled()
        assert store.documents() and gc.isenabled()
        gc.disable()
        try:
            assert store.documents() and not gc.isenabled()
        finally:
            gc.enable()
    finally:
        store.close()


def test_mill_certificates_join_the_entries_their_weight_matches_as_when_weighed_against_every_entry():
    from decimal import Decimal

    from appraiser.audit.link import _mill_affinity

    lb = build(30, plant_every=1000).documents
    packing = [d for d in lb if d.doc_type == "packing_list"]
    w0, w1 = packing[0].get("total_net_weight_kg"), packing[1].get("total_net_weight_kg")
    seller = next(d for d in lb if d.doc_type == "commercial_invoice"
                  and d.get("invoice_number") == packing[0].get("invoice_number")).get("seller")
    certs = [Document.of("mills/at the edge.pdf", "mill_certificate", {"total_weight_kg": w0 * Decimal("1.0099")}),
             Document.of("mills/the seller's.pdf", "mill_certificate", {"total_weight_kg": w1, "customer": seller}),
             Document.of("mills/by heats.pdf", "mill_certificate", {},
                         [{"heat_number": "H1", "weight_kg": w1 / 2}, {"heat_number": "H2", "weight_kg": w1 / 2}]),
             Document.of("mills/too far.pdf", "mill_certificate", {"total_weight_kg": w0 * Decimal("1.03")}),
             Document.of("mills/no weight.pdf", "mill_certificate", {"customer": seller})]
    linked = link(lb + certs)
    for cert in certs:
        by_scan = [e.entry_number for e in linked.entries
                   if _mill_affinity(cert, linked.documents(e, "commercial_invoice"),
                                     linked.documents(e, "packing_list"))]
        assert [e.entry_number for e in linked.entries_of(cert.path)] == by_scan, cert.path
    assert len(linked.entries_of("mills/at the edge.pdf")) >= 1
    assert linked.entries_of("mills/too far.pdf") == [] and linked.entries_of("mills/no weight.pdf") == []
    assert {lk.confidence for e in linked.entries_of("mills/by heats.pdf") for lk in e.links
            if lk.path == "mills/by heats.pdf"} == {0.7}
