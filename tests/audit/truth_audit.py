"""A split's truth documents audited and stored as a run would store them (no extraction): the money outputs'
tests start from it."""
import json
from pathlib import Path

from appraiser import pipeline
from appraiser.audit import audit
from appraiser.audit.revenue import load_tariff
from appraiser.models.convert import document_from_json
from appraiser.models.store import Store


def stored_truth_audit(folder: Path, db: Path, accept: bool = False) -> Store:
    """``folder``'s truth documents audited into a new store at ``db`` (every open finding accepted with
    ``accept``); the caller closes the store."""
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    docs = [document_from_json(d) for d in truth["documents"] if not d.get("error")]
    result = audit(docs, tariff=load_tariff(folder / truth["meta"]["tariff"]))
    store = Store(db)
    for d in docs:
        store.save_document(d, "truth", cache=False)
    pipeline.save_result(store, result)
    if accept:
        for f in store.findings():
            if f.status == "open":
                assert store.decide(f.id, "accepted", "reviewer", None)
    return store
