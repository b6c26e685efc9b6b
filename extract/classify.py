"""Which SPEC document type a document is, with a confidence; ``other`` when unsure, never a forced guess.

Cues are data: phrases that name a document type in its title (strong) or that its body carries (weak),
matched on the same folded tokens as labels, with spaCy's PhraseMatcher. A title cue counts more in the
top part of the first page or in a large font. Scores are compared; the confidence is the winner's share.
"""
from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from typing import Sequence

from .labels import _nlp, tokens_of
from .layout import lines_of, phrases_of
from .pages import Page

# doc_type -> (title cues, body cues)
CUES: dict[str, tuple[list[str], list[str]]] = {
    # documents of a shipment that are none of the SPEC's types: known, so that they are not taken for one
    "other": (
        ["arrival notice", "notice of arrival", "delivery order", "debit note", "credit note", "quotation",
         "statement of account", "booking confirmation", "purchase order", "proforma quotation",
         "aviso de llegada", "orden de compra", "ankunftsanzeige"],
        ["free time", "last free day", "storage charges", "terminal handling", "please present"],
    ),
    "entry_summary": (
        ["entry summary", "cbp form 7501", "form 7501", "resumen de entrada"],
        ["filer code", "entry type", "summary date", "port code", "importer of record", "manufacturer id",
         "ultimate consignee", "entered value", "htsus", "bond type", "surety no", "mode of transport",
         "u s customs and border protection", "department of homeland security", "declarant", "block"],
    ),
    "commercial_invoice": (
        ["commercial invoice", "invoice", "factura comercial", "factura", "handelsrechnung", "rechnung",
         "tax invoice", "customs invoice", "export invoice", "facture", "facture commerciale", "bill", "factuur",
         "fattura", "fatura", "proforma invoice", "faktura"],
        ["invoice no", "invoice date", "unit price", "amount", "sold to", "bill to", "total", "incoterm",
         "terms of payment", "payment terms", "subtotal", "precio unitario", "importe", "einzelpreis",
         "amount due", "vat", "qty", "facture n", "numero de facture", "montant", "total ht", "total ttc", "tva",
         "prix unitaire", "factuurnummer", "factuurdatum", "btw", "totaal", "rechnungsnr", "rechnungsdatum",
         "mwst", "ust", "zeilenbetrag", "net a payer", "invoice number", "invoice total"],
    ),
    "packing_list": (
        ["packing list", "packing slip", "lista de empaque", "lista de empaque y peso", "packliste",
         "packing note", "weight list", "packing specification", "delivery note", "lieferschein",
         "liste de colisage"],
        ["net weight", "gross weight", "cartons", "ctns", "packages", "peso neto", "peso bruto", "bundles",
         "dimensions", "cbm", "nettogewicht", "bruttogewicht", "pallets", "measurement"],
    ),
    "mill_certificate": (
        ["mill test certificate", "mill test report", "mill certificate", "inspection certificate",
         "test certificate", "material test report", "certificate of inspection", "abnahmeprufzeugnis",
         "certificado de calidad", "certificado de molino", "quality certificate", "mtc", "mtr",
         "certificado de inspeccion"],
        ["heat no", "heat number", "chemical composition", "en 10204", "yield strength", "tensile strength",
         "elongation", "colada", "composicion quimica", "charpy", "melted", "mechanical properties",
         "ceq", "cev", "heat", "en 10168", "inspection document", "type of inspection document",
         "manufacturer's plant", "steelmaking process", "tensile test", "impact test", "notched bar impact test",
         "batch number", "product norm", "delivery condition"],
    ),
    "agreement": (
        ["agreement", "licence agreement", "license agreement", "royalty agreement", "commission agreement",
         "agency agreement", "distribution agreement", "supply agreement", "contrato", "convenio",
         "vertrag", "memorandum of understanding"],
        ["whereas", "hereinafter", "party", "parties", "licensor", "licensee", "royalty", "term of this agreement",
         "in witness whereof", "governing law", "effective date", "commission", "agent", "principal",
         "shall", "termination"],
    ),
    "payment_record": (
        ["payment advice", "remittance advice", "wire transfer", "payment confirmation", "debit advice",
         "transfer confirmation", "swift", "mt103", "payment receipt", "comprobante de pago",
         "bank statement", "zahlungsavis", "remittance", "proof of payment",
         # a SWIFT MT103 message itself: field 23B, its bank operation code
         "23b cred", "23b crts", "23b spay", "23b spri", "23b sstd"],
        ["beneficiary", "ordering customer", "value date", "remitter", "debit account", "credit account",
         "payment reference", "amount paid", "payer", "payee", "iban", "swift bic", "bic", "purpose of payment",
         "transaction reference", "bank"],
    ),
    "certificate_of_origin": (
        ["certificate of origin", "certification of origin", "certificado de origen",
         "origin certification", "ursprungszeugnis", "declaration of origin"],
        ["origin criterion", "blanket period", "certifier", "producer", "preference criterion",
         "criterio de origen", "tpa", "ctpa", "usmca", "free trade agreement", "rules of origin",
         "i certify", "certify that"],
    ),
    "bill_of_lading": (
        ["bill of lading", "sea waybill", "ocean bill of lading", "conocimiento de embarque", "air waybill",
         "house bill of lading", "master bill of lading", "b l"],
        ["shipper", "consignee", "notify party", "vessel", "voyage", "port of loading", "port of discharge",
         "place of receipt", "on board", "freight collect", "freight prepaid", "container no", "seal no"],
    ),
}

# Words that turn an invoice into an assist (tooling, moulds, engineering billed to the importer).
ASSIST_CUES = ["mould", "mold", "moulds", "molds", "injection mould", "injection mold", "progressive die",
               "stamping die", "forging die", "trim die", "cutting die", "extrusion die", "casting die", "die set",
               "progressive dies", "stamping dies", "forging dies",
               "tooling", "tool", "jig", "fixture", "cavity", "moulde", "molde", "moldes", "troquel",
               "engineering", "design services", "drawings", "werkzeug"]

TITLE_WEIGHT, BODY_WEIGHT = 6.0, 1.0
# a title word followed by one of these is a label ("Invoice No."), not the document's title
LABEL_FOLLOWERS = {"no", "nr", "number", "num", "#", "date", "ref", "reference", "id", "total", "value",
                   "amount", "nos", "numbers", "de", "type"}
MIN_SCORE = 6.0


@lru_cache(maxsize=1)
def _matchers():
    from spacy.matcher import PhraseMatcher
    from spacy.tokens import Doc

    nlp = _nlp()
    title = PhraseMatcher(nlp.vocab, attr="ORTH")
    body = PhraseMatcher(nlp.vocab, attr="ORTH")
    for doc_type, (t, b) in CUES.items():
        title.add(doc_type, [Doc(nlp.vocab, words=tokens_of(x)) for x in t if tokens_of(x)])
        body.add(doc_type, [Doc(nlp.vocab, words=tokens_of(x)) for x in b if tokens_of(x)])
    assist = PhraseMatcher(nlp.vocab, attr="ORTH")
    assist.add("assist", [Doc(nlp.vocab, words=tokens_of(x)) for x in ASSIST_CUES])
    return title, body, assist


@lru_cache(maxsize=1)
def _compact_cues() -> list[tuple[str, str, int]]:
    return sorted(((dt, "".join(tokens_of(c)), len(tokens_of(c))) for dt, (titles, _) in CUES.items()
                   for c in titles if len("".join(tokens_of(c))) >= 8), key=lambda x: -len(x[1]))


def _compact_titles(compact: str) -> dict[str, int]:
    """Document types whose title (eight letters or more, spaces ignored) a run of large letters spells."""
    found: dict[str, int] = {}
    taken: list[tuple[int, int]] = []
    for dt, cue, n in _compact_cues():
        i = compact.find(cue)
        if i < 0 or any(i < e and s < i + len(cue) for s, e in taken):
            continue
        taken.append((i, i + len(cue)))
        found[dt] = max(found.get(dt, 0), n)
    return found


def _longest(matches):
    """Of overlapping cue matches, the longest ones (ties: the earliest)."""
    kept: list[tuple[int, int, int]] = []
    for mid, s, e in sorted(matches, key=lambda m: (-(m[2] - m[1]), m[1])):
        if all(e <= ks or s >= ke for _, ks, ke in kept):
            kept.append((mid, s, e))
    return sorted(kept, key=lambda m: m[1])


def scores(pages: Sequence[Page]) -> dict[str, float]:
    from spacy.tokens import Doc

    nlp = _nlp()
    title, body, assist_m = _matchers()
    score: dict[str, float] = defaultdict(float)
    assist_hits = 0
    for page in pages[:3]:
        lines = lines_of(page.words)
        if not lines:
            continue
        heights = sorted(w.height for w in page.words)
        median_h = heights[len(heights) // 2] or 1.0
        seen_body: set[tuple[str, str]] = set()
        for ln in lines:
            toks = [t for w in ln for t in tokens_of(w.text)]
            if not toks:
                continue
            doc = Doc(nlp.vocab, words=toks)
            for mid, s, e in body(doc):
                dt = nlp.vocab.strings[mid]
                key = (dt, " ".join(toks[s:e]))
                if key not in seen_body:  # each body cue counts once per page
                    seen_body.add(key)
                    score[dt] += BODY_WEIGHT
            assist_hits += len(assist_m(doc))
            high = page.number == pages[0].number and min(w.top for w in ln) <= 0.3 * page.height
            credited: set[str] = set()
            for ph in phrases_of(ln):
                ptoks = [t for w in ph.words for t in tokens_of(w.text)]
                if not ptoks:
                    continue
                pdoc = Doc(nlp.vocab, words=ptoks)
                big = max(w.height for w in ph.words) >= 1.3 * median_h
                short = len(ptoks) <= 6
                for mid, s, e in _longest(title(pdoc)):  # "bill of lading" is not also a "bill"
                    if e < len(ptoks) and ptoks[e] in LABEL_FOLLOWERS:
                        # "Invoice No.", "Invoice date": a label, perhaps naming another document; weak evidence
                        score[nlp.vocab.strings[mid]] += 0.25 * TITLE_WEIGHT
                        continue
                    dt = nlp.vocab.strings[mid]
                    w = TITLE_WEIGHT * (1.0 if (high or big) and short else 0.25)
                    w *= 1.0 + 0.15 * (e - s)  # longer titles are more specific
                    score[dt] += w
                    credited.add(dt)
            # a title in large letters that OCR broke apart ("PAC KING LIST", "PACKING   LIST"): its letters
            big = [w for w in ln if w.height >= 1.3 * median_h]
            if big and (high or page.number == pages[0].number):
                compact = "".join(t for w in big for t in tokens_of(w.text))
                for dt, cue_len in _compact_titles(compact).items():
                    if dt not in credited:
                        score[dt] += TITLE_WEIGHT * (1.0 + 0.15 * cue_len)
    if assist_hits >= 2 and score.get("commercial_invoice", 0) >= MIN_SCORE:
        score["assist_invoice"] = score["commercial_invoice"] + assist_hits
    return dict(score)


def classify(pages: Sequence[Page]) -> tuple[str, float]:
    """The document type and a confidence in [0, 1]; ``("other", c)`` when no type is clearly indicated."""
    sc = scores(pages)
    if not sc:
        return "other", 0.0
    ranked = sorted(sc.items(), key=lambda kv: -kv[1])
    best, top = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    if top < MIN_SCORE:
        return "other", round(1.0 - top / MIN_SCORE, 3)
    confidence = top / (top + second) if top + second else 0.0
    return best, round(min(1.0, confidence * min(1.0, top / (2 * MIN_SCORE)) + 0.0), 3)
