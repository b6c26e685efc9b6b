"""What the per-type extractors share: a document's number and date conventions, parsers bound to them,
parties from address blocks, identifiers, currencies, incoterms, charges and line items from tables."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Callable, Iterable, Sequence

from rapidfuzz import fuzz

from ..models.records import FieldSet, LineItem, Party
from . import normalize as nz
from .labels import _BOX_NO, Hit, Reader, fold, tokens_of
from .layout import lines_of, phrases_of
from .pages import Page, Word
from .tables import Row, Table, find_tables, header_unit
from .vocab import ATTENTION_WORDS, CHARGE_WORDS, FIELD_LABELS, LEGAL_FOOTER, LEGAL_FORMS, NET_WORDS

INCOTERMS = ("EXW", "FCA", "FAS", "FOB", "CFR", "CIF", "CPT", "CIP", "DAP", "DPU", "DDP", "DAT", "DDU", "CNF", "C&F")
_INCOTERM_RE = re.compile(r"\b(" + "|".join(re.escape(t) for t in INCOTERMS) + r")\b\.?\s*(?:incoterms?\s*(?:®\s*)?\d{4})?[\s,:-]*([^\n,;()]*)",
                          re.IGNORECASE)
_ID_RE = re.compile(r"^[#:\s\-\u2018\u2019'\u201c\u201d|\u00a1!]*(?:no\.?|nr\.?|n°|nº|number|núm\.?|num\.?)?[#:\s]*([A-Za-z0-9][A-Za-z0-9\-/._]*[A-Za-z0-9])$",
                    re.IGNORECASE)
_CONTACT = ("tel", "phone", "fax", "email", "e-mail", "mail", "www", "http", "vat", "tax id", "rfc", "nit", "ein",
            "irs", "contact", "attn", "attention", "ust-id", "ust", "cif", "gst", "tel.", "mobile", "cnpj", "rut")
_BANKING = ("account", "iban", "bank", "swift", "bic", "a/c", "acct", "routing", "aba ", "sort code", "cuenta",
            "konto", "blz", "beneficiary bank", "intermediary")


@dataclass(slots=True)
class Conventions:
    """How one document writes numbers and dates, inferred from all of its words."""

    style: str | None
    order: str | None

    def number(self, text: str) -> Decimal | None:
        return nz.parse_number(text, self.style)

    def date(self, text: str) -> str | None:
        return nz.parse_date(text, self.order)

    def money(self, text: str) -> Decimal | None:
        m = nz.parse_money(text, self.style)
        return m[0] if m else None


def conventions(pages: Sequence[Page]) -> Conventions:
    texts = [w.text for p in pages for w in p.words]
    style = nz.number_style(texts)
    tonnes = document_weight_unit(pages) == "MT" or any(t.strip("()[]").lower() in ("t", "mt", "tonnes") for t in texts)
    if style is None and tonnes:
        # weights in tonnes are written to the kilogram: "7.670 t" is seven tonnes six hundred and seventy
        seps = {m.group(1) for t in texts for m in [re.fullmatch(r"\d{1,3}([.,])\d{3}", t.strip("()"))] if m}
        if len(seps) > 1:  # "1,268 PCS" beside "28.489 t": the weights in tonnes show which is the decimal
            seps = {m.group(1) for t, u in zip(texts, texts[1:]) if u.strip("().,:").lower() in ("t", "mt", "tonnes")
                    for m in [re.fullmatch(r"\d{1,3}([.,])\d{3}", t.strip("()"))] if m}
        if len(seps) == 1:
            style = "dot" if seps == {"."} else "comma"
    return Conventions(style, nz.date_order(texts) or nz.locale_date_order(texts, style))


def parse_id(text: str) -> str | None:
    """An identifier: one token with a digit in it (labels' own "No." and "#" dropped)."""
    text = text.strip()
    # "SA!-255061": a scan's "!" inside a code is an I
    text = re.sub(r"(?<=[A-Za-z])!(?=[-A-Za-z0-9])", "I", text)
    first = [t for t in text.split() if t.strip(":#.-–|")]  # ": # BLR_WFLD2015…": the label's leftovers go
    text = " ".join(first)
    if not first:
        return None
    cand = text if len(first) == 1 else None
    if cand is None:
        # "No. 123", "# 123": join the label remnant with the token
        if fold(first[0]).strip(".:#") in ("no", "nr", "n", "n°", "nº", "number", "num", "") and len(first) >= 2:
            cand = first[1]
        elif re.fullmatch(r"[A-Z]{1,4}", first[0]) and re.fullmatch(r"\d[\w/.-]*", first[1]) and \
                (len(first) == 2 or not first[2][:1].isdigit()):
            cand = first[0] + " " + first[1]  # "FT 2026/77": a document series and its number
        else:
            cand = first[0]
    m = _ID_RE.match(cand.replace(" ", "")) if " " in cand else _ID_RE.match(cand)
    if not m:
        return None
    ident = cand if " " in cand else m.group(1)
    if not any(c.isdigit() for c in ident) or len(ident) < 3:
        return None
    if nz.parse_date(ident) is not None and not any(c.isalpha() for c in ident):
        return None
    return ident


def clean_lines(lines: Sequence[Sequence[Word]]) -> list[list[Word]]:
    """An address block without its contact and bank-detail lines, ending at a line that is only a country."""
    out = []
    for ln in lines:
        ln = [w for w in ln if "@" not in w.text and not fold(w.text).startswith(("www.", "http"))]
        t = fold(" ".join(w.text for w in ln)).strip()
        if not t or any(t.startswith(c) for c in _CONTACT + _BANKING) or attention_line(t) or identifier_line(t):
            continue
        out.append(list(ln))
        raw = " ".join(w.text for w in ln).strip(" ,.")
        if len(out) > 1 and not any(c.isdigit() for c in raw) and "," not in raw and len(raw.split()) <= 4 \
                and nz.country_code(raw):
            break  # the country closes the address
        tail = re.split(r"\s*[,·|•]\s*", raw)[-1]
        if len(out) > 1 and "," in raw and _POSTCODE.search(raw) and tail != raw and \
                not any(c.isdigit() for c in tail) and len(tail.split()) <= 3 and nz.country_code(tail):
            break  # "06000 NICE, DE": postcode, town and country close it too
    return out


def party_from_lines(lines: Sequence[Sequence[Word]], name_above_address: bool = False) -> Party | None:
    """Name, address (its lines without the country) and country from an address block. With
    ``name_above_address`` (a block no label introduces, where a logo's words or a trade name may come first),
    the name is the line right above the street and postcode lines."""
    lines = clean_lines(lines)
    if not lines:
        return None
    texts = [nz.clean_text(" ".join(w.text for w in ln)) for ln in lines]
    # "ID : 123 - GLN : 587451236587", "Leasingnummer: 6341": identifiers after the address, not part of it
    while len(texts) > 2 and re.search(r"\w\)?\s*:(?:\s|$)", texts[-1]) and any(address_like(t) for t in texts[1:-1]):
        texts.pop()
    # a sender line "Name - Street 1 - 12345 City" (window envelopes): the name, then its address
    parts = [p for p in re.split(r"\s+[-–·|•]\s+", texts[0]) if p.strip()]
    if len(parts) >= 2 and not any(c.isdigit() for c in parts[0]) and any(c.isdigit() for c in " ".join(parts[1:])):
        texts = [parts[0], *parts[1:], *texts[1:]]
    first = 0
    if not has_legal_form(texts[0]):
        # "Papierflieger-Vertriebs-GmbH" under a contact person's line, or a trade name over the company's: the
        # line above the address that carries a legal form names the party
        head = texts[:next((i for i, t in enumerate(texts) if i and address_like(t)), len(texts))]
        first = next((i for i, t in enumerate(head) if has_legal_form(t) and not _only_legal_form(t)),
                     len(head) - 1 if name_above_address and len(head) < len(texts) else 0)
    name = nz.clean_party_name(texts[first])
    if not name or not any(c.isalpha() for c in name):
        return None
    addr = texts[first + 1:]
    country = None
    if addr:
        last = addr[-1]
        # "Dongguan, Guangdong 523850, China" / "Industriestraße 14 · 47829 Krefeld · Germany": the country is
        # the last part; a line that is only the country goes
        parts = [p.strip() for p in re.split(r"\s*[,·|•]\s*|\s+-\s+", last) if p.strip()]
        strong = [p.strip() for p in re.split(r"\s*[·|•]\s*|\s+-\s+", last) if p.strip()]
        if len(strong) > 1 and not nz.country_code(parts[-1]) and nz.country_code(strong[-1]) and \
                not any(ch.isdigit() for ch in strong[-1]):
            parts = strong  # "… · Busan 46752 · Korea, Republic of": the separators set the country apart
        c = nz.country_code(parts[-1]) if parts else None
        whole = nz.country_code(last) if not any(ch.isdigit() for ch in last) and len(last.split()) <= 4 else None
        if whole and not c:  # "Korea, Republic of"
            country, addr = whole, addr[:-1]
        elif c and len(parts) > 1:
            country = c
            head = last[: last.rfind(parts[-1])].rstrip(" ,·|•-")
            addr[-1] = re.sub(r"\s*[·|•]\s*", ", ", head)
        elif c and re.fullmatch(r"[\w .'()-]+", last) and len(last.split()) <= 5:
            country = c
            addr = addr[:-1]
    if country is None and addr:
        country = next((c for c in (nz.postcode_country(a) for a in reversed(addr)) if c), None)
    addr = [re.sub(r"\s*[·|•]\s*", ", ", a) for a in addr]
    address = ", ".join(a.strip(" ,") for a in addr if a.strip(" ,")) or None
    return Party(name=name, address=address, country=country)


def _phrase_tokens(phrases: Iterable[str]) -> list[tuple[str, ...]]:
    return [tuple(tokens_of(x)) for x in phrases if tokens_of(x)]


_LEGAL_FORMS = _phrase_tokens(LEGAL_FORMS)
_IDENTIFIERS = _phrase_tokens(FIELD_LABELS.get("other_id", []))  # "Partita IVA …", "SIRET …", "KvK …"
_LEGAL_FOOTER = _phrase_tokens(LEGAL_FOOTER)
_ATTENTION = _phrase_tokens(ATTENTION_WORDS)


def _find_tokens(toks: Sequence[str], phrase: tuple[str, ...]) -> int:
    """Where a phrase's tokens start in a token list, or -1."""
    n = len(phrase)
    for i in range(len(toks) - n + 1):
        if tuple(toks[i:i + n]) == phrase:
            return i
    return -1


def has_legal_form(text: str) -> bool:
    """Whether a name carries a company's legal form ("Kraxi GmbH", "e-Luscious Nederland B.V.", "ACME, Inc.")."""
    toks = tokens_of(re.sub(r"[.\-]", lambda m: m.group(0) + " ", text))
    joined = tokens_of(text.replace("-", " "))
    return any(_find_tokens(toks, f) >= 0 or _find_tokens(joined, f) >= 0 for f in _LEGAL_FORMS if f)


def _only_legal_form(text: str) -> bool:
    """"Company Limited", "Co., Ltd.": the second line of a name, nothing but its legal form."""
    forms = {t for f in _LEGAL_FORMS for t in f} | {"company", "corporation", "co"}
    return all(t in forms for t in tokens_of(text.replace("-", " ").replace(".", ". ")))


def identifier_line(text: str) -> bool:
    """A line that opens with an identifier's label (a customer, VAT or register number): not an address line."""
    toks = tokens_of(text)
    return any(len(f) and tuple(toks[:len(f)]) == f and len(toks) > len(f) for f in _IDENTIFIERS)


def attention_line(text: str) -> bool:
    """A line of an address naming the person to attend to it ("z. Hd. Herr Mustermann", "T.a.v. bosd",
    "Buyer contact name"), not the party."""
    toks = tokens_of(text.replace(".", ". "))
    joined = tokens_of(text)
    for a in _ATTENTION:
        if tuple(toks[:len(a)]) == a or tuple(joined[:len(a)]) == a:
            return True
        if len(a) == 1 and len(a[0]) >= 7 and a[0] in joined:  # "contact", "attention" anywhere in the line
            return True
    return False


_POSTCODE = re.compile(r"(?<![\d.,/:-])(?:[A-Z]{1,2}-)?\d{4,6}(?![\d.,/:])|\b[A-Z]{1,2}\d{1,2}[A-Z]? \d[A-Z]{2}\b"
                       r"|\b\d{4} ?[A-Z]{2}\b")


def address_like(text: str) -> bool:
    """A street or postcode line: a number beside words ("35 rue d'ici", "Musterweg 1", "75018 PARIS, FR",
    "3500 MJ Utrecht"), not a date, an amount or a phone number."""
    t = text.strip()
    if not any(c.isdigit() for c in t) or sum(c.isalpha() for c in t) < 3:
        return False
    if nz.find_dates(t) or re.search(r"\d[.,]\d{2}\b", t):
        return False
    if sum(c.isdigit() for c in t) > 0.5 * len(t.replace(" ", "")):
        return False
    return bool(_POSTCODE.search(t) or re.search(r"(?:^|\s)\d{1,5}[a-zA-Z]?(?:[,\s]|$)", t))


def legal_footer_name(pages: Sequence[Page], reader: Reader) -> tuple[Party | None, object]:
    """The issuer named in the legal footer (registered office, share capital, register number: what EU law
    asks every invoice to print): the words before the legal wording on its line ("Free SAS au capital de",
    "Kraxi GmbH   Sitz der Gesellschaft"), or a short name line right above it ("NETPRESSE")."""
    for page in reversed(list(pages)):
        lines = lines_of(page.words)
        for i, ln in enumerate(lines):
            if min(w.top for w in ln) < 0.6 * page.height:
                continue
            toks = [t for w in ln for t in tokens_of(w.text)]
            if not any(_find_tokens(toks, f) >= 0 for f in _LEGAL_FOOTER):
                continue
            cands: list[list[Word]] = []
            for ph in phrases_of(ln):
                ptoks = tokens_of(ph.text)
                at = min((k for k in (_find_tokens(ptoks, f) for f in _LEGAL_FOOTER) if k >= 0), default=-1)
                if at == 0:
                    break
                if at > 0:
                    # the words before the legal wording, up to a sentence break
                    words, n = [], 0
                    for w in ph.words:
                        n += len(tokens_of(w.text))
                        if n > at:
                            break
                        words.append(w)
                    cands.append(words)
                    break
                cands.append(ph.words)
                break
            if i > 0:
                above = lines[i - 1]
                gap = min(w.top for w in ln) - max(w.bottom for w in above)
                if gap < 2.0 * max(w.height for w in ln):
                    cands.append(phrases_of(above)[0].words)
            for words in cands:
                text = nz.clean_text(" ".join(w.text for w in words)).strip(" .,-–:")
                text = re.split(r"[.]\s|\s[-–]\s", text)[0].strip(" .,-–:")
                if not text or any(c.isdigit() for c in text) or len(text.split()) > 5 or \
                        any(reader.is_label(w) for w in words) or ":" in text:
                    continue
                return Party(name=text, address=None, country=None), reader.prov(words)
    return None, None


def sender_line(pages: Sequence[Page], reader: Reader) -> tuple[Party | None, object, list[Word], list[Word]]:
    """The return address printed in small type above a window envelope's address ("Kraxi GmbH · Flugzeugallee
    17 · 12345 Papierfeld · Deutschland", "QualityHosting AG - Uferweg 40-42 - D-63571 Gelnhausen"): the sender,
    its provenance, its words and the first line under it (the recipient's address starts there)."""
    if not pages:
        return None, None, [], []
    page = pages[0]
    lines = lines_of(page.words)
    for i, ln in enumerate(lines):
        if min(w.top for w in ln) > 0.5 * page.height:
            break
        for ph in phrases_of(ln):
            parts = [p.strip() for p in re.split(r"\s*[·•|]\s*|\s+[-–]\s+|,\s+", ph.text) if p.strip()]
            if len(parts) < 3 or any(c.isdigit() for c in parts[0]) or not any(c.isalpha() for c in parts[0]):
                continue
            if not any(_POSTCODE.search(p) for p in parts[1:]) or any(reader.is_label(w) for w in ph.words):
                continue
            # it stands alone over the window: a line that closes a block above it in its column ("Dongguan,
            # Guangdong 523850, China" under a letterhead's street) is that block's town, not a sender line
            if i and any(min(p.x1, ph.x1) - max(p.x0, ph.x0) > 0 and 0 <= ph.top - p.bottom < 1.5 * ph.height
                         and abs(p.height - ph.height) <= 0.2 * ph.height for p in phrases_of(lines[i - 1])):
                continue
            # a recipient's block under it, in its column
            below = [b for b in lines[i + 1:i + 5]
                     if any(abs(p.x0 - ph.x0) <= 2 * ph.height for p in phrases_of(b))]
            if not below or \
                    min(w.top for w in below[0]) - ph.bottom > 6 * max(ph.height, *(w.height for w in below[0])):
                continue
            country = nz.country_code(parts[-1]) if not any(c.isdigit() for c in parts[-1]) else None
            addr = parts[1:-1] if country else parts[1:]
            name = nz.clean_party_name(parts[0])
            if not name:
                continue
            return (Party(name=name, address=", ".join(addr) or None, country=country), reader.prov(ph.words),
                    ph.words, below[0])
    return None, None, [], []


def address_blocks(pages: Sequence[Page], reader: Reader, skip: Callable[[str], bool],
                   exclude: set[int] = frozenset(), limit: float | None = None) -> list[list[list[Word]]]:
    """Unlabelled address blocks in the upper part of the first page, above ``limit`` (the table of goods): a
    name over street and postcode lines, set in one column, flush left or right (letterheads and address
    windows), top to bottom. Words in ``exclude`` (a sender line) are left out; a block under a label is the
    label's."""
    if not pages:
        return []
    page = pages[0]
    open_blocks: list[list[list[Word]]] = []
    done: list[list[list[Word]]] = []
    labelled: set[int] = set()
    for ln in lines_of(page.words):
        if min(w.top for w in ln) > (0.55 * page.height if limit is None else min(limit, 0.55 * page.height)):
            break  # above the table of goods
        for ph in phrases_of(ln):
            if any(id(w) in exclude for w in ph.words):
                continue
            text = ph.text
            h = max(1.0, ph.height)
            home = None
            for b in open_blocks:
                last = b[-1]
                gap = ph.top - max(w.bottom for w in last)
                aligned = abs(last[0].x0 - ph.x0) <= 2.0 * h or abs(last[-1].x1 - ph.x1) <= 1.0 * h  # flush right
                # an empty address line may come before the postcode and the country
                reach = 2.4 if address_like(text) or nz.country_code(text) and len(text.split()) <= 3 else 1.6
                if aligned and -0.5 * h <= gap <= reach * h:
                    home = b
                    break
            if reader.opens_label(ph.words):
                if home is not None:
                    open_blocks.remove(home)
                    done.append(home)
                open_blocks.append([ph.words])
                labelled.add(id(open_blocks[-1]))  # the block under a label ("Livraison :") is that label's
                continue
            if skip(text) or nz.parse_money(text) and not any(c.isalpha() for c in text):
                if home is not None:
                    open_blocks.remove(home)
                    done.append(home)
                continue
            if home is None:
                open_blocks.append([ph.words])
            else:
                home.append(ph.words)
    done.extend(open_blocks)
    out = []
    for b in done:
        if id(b) in labelled:
            continue
        texts = [" ".join(w.text for w in ln) for ln in b]
        if len(b) < 2 or not any(address_like(t) and ":" not in t for t in texts[1:]) or address_like(texts[0]) \
                or ":" in texts[0]:
            continue
        if nz.find_dates(texts[0]) or any(c.isdigit() for c in texts[0]):
            continue
        out.append(b)
    out.sort(key=lambda b: (round(min(w.top for w in b[0])), b[0][0].x0))
    return out


def side_by_side(a: list[list[Word]], b: list[list[Word]]) -> bool:
    """Two address blocks at the same height in two columns (an address window beside a letterhead)."""
    ta, ba = min(w.top for w in a[0]), max(w.bottom for w in a[-1])
    tb, bb = min(w.top for w in b[0]), max(w.bottom for w in b[-1])
    return min(ba, bb) - max(ta, tb) > 0 and (a[0][0].x0 > b[-1][-1].x1 or b[0][0].x0 > a[-1][-1].x1 or
                                             abs(a[0][0].x0 - b[0][0].x0) > 100)


def party_label(reader: Reader, hit: Hit) -> bool:
    """Whether a party word is a label ("Sold to:", "BUYER", a form box) rather than part of a title or a
    sentence ("MILL TEST CERTIFICATE", "the buyer shall"): it starts its phrase, and ends with a colon or
    stands alone."""
    for ph in reader.phrases(hit.line):
        if hit.words[0] in ph.words:
            if ph.words[0] is not hit.words[0] and not _BOXNUM.match(ph.words[0].text):
                return False
            if hit.words[-1] not in ph.words:
                return True  # the label runs on into the next cell: it starts its phrase, that is enough
            rest = ph.words[ph.words.index(hit.words[-1]) + 1:]
            return hit.words[-1].text.endswith(":") or not rest or rest[0].text in (":", "-", "/")
    return False


_BOXNUM = _BOX_NO  # "12.", "A01", "A06.1" (EN 10168), as a scan may read them


def read_party(reader: Reader, key: str, exclude: Iterable[Hit] = ()) -> tuple[Party | None, object]:
    ex = {id(h) for h in exclude}
    for hit in reader.find(key):
        if id(hit) in ex or not party_label(reader, hit):
            continue
        block = reader.block(hit)
        party = party_from_lines(block)
        if party is not None:
            return party, reader.prov([w for ln in block for w in ln])
    return None, None


def letterhead(pages: Sequence[Page], reader: Reader, skip: Callable[[str], bool]) -> tuple[Party | None, object]:
    """The issuer named at the top of the first page, when no label introduces it: the first phrase that is
    neither a title nor a label, and the phrases under it in its column."""
    if not pages:
        return None, None
    page = pages[0]
    block: list[list[Word]] = []
    for ln in lines_of(page.words):
        if min(w.top for w in ln) > 0.3 * page.height:
            break
        phs = [ph for ph in phrases_of(ln) if not any(reader.is_label(w) for w in ph.words)
               and not skip(ph.text)]
        if not block:
            if phs:
                block.append(phs[0].words)
            continue
        x0, x1 = min(w.x0 for b in block for w in b), max(w.x1 for b in block for w in b)
        under = [ph for ph in phs if min(ph.x1, x1) - max(ph.x0, x0) > 0]
        gap = min(w.top for w in ln) - max(w.bottom for w in block[-1])
        if gap > 1.4 * max(w.height for w in block[-1]):
            break
        if not under:
            if any(min(ph.x1, x1) - max(ph.x0, x0) > 0 for ph in phrases_of(ln)):
                break  # a label or a title under the address: it is over
            continue  # a line of the other column (the title set between two address lines)
        block.append(under[0].words)
        if len(block) >= 6:
            break
    party = party_from_lines(block)
    return (party, reader.prov([w for ln in block for w in ln])) if party else (None, None)


def find_currency(pages: Sequence[Page], reader: Reader | None = None) -> tuple[str | None, object]:
    """The document's currency: from a currency label, else the code or symbol its amounts carry most."""
    if reader is not None and "currency" in reader.keys:
        v, p = reader.value("currency", nz.currency_code)
        if v:
            return v, p
    counts: dict[str, list[Word]] = {}
    for page in pages:
        ws = sorted(page.words, key=lambda w: (round(w.top), w.x0))
        for i, w in enumerate(ws):
            t = w.text.strip("():,.;")
            code = None
            if len(t) == 3 and t.isalpha() and t.isupper():
                code = nz.currency_code(t)
            elif any(s in t for s in ("$", "€", "£", "¥", "₹")):
                code = nz.currency_code(t)
            elif 2 <= len(t) <= 4 and t[:1].isupper() and i + 1 < len(ws) and abs(ws[i + 1].top - w.top) < 2 and \
                    nz.parse_number(ws[i + 1].text.strip("()").rstrip(",;:")) is not None:
                code = nz.currency_code(w.text.strip("():,;"))  # "Rs 1939", "Fr. 20.00": a short name before a number
            if code:
                counts.setdefault(code, []).append(w)
    if not counts:
        return None, None
    code, words = max(counts.items(), key=lambda kv: len(kv[1]))
    return code, reader.prov(words[:1]) if reader else None


def find_incoterm(reader: Reader) -> tuple[str | None, str | None, object]:
    for ln in reader.lines:
        # the term and its place are set together: read within one phrase (or cell), not across the line
        m = None
        for ph in reader.phrases(reader.lines.index(ln)):
            m = _INCOTERM_RE.search(ph.text)
            if m:
                break
        if not m:
            continue
        term = m.group(1).upper().replace("C&F", "CFR").replace("CNF", "CFR")
        place = m.group(2).strip(" .:-")
        place = re.split(r"\s{2,}|\b(?:incoterms?|port|terms|payment)\b", place, flags=re.IGNORECASE)[0].strip(" .:-,")
        # keep the place's words only while they are words (not the next field's value)
        words = []
        for tok in place.split():
            if any(c.isdigit() for c in tok) or fold(tok) in ("payment", "net", "days"):
                break
            words.append(tok)
        place = " ".join(words[:4]) or None
        if place and nz.country_code(place) and len(place.split()) == 1 and place.isupper() and len(place) <= 3:
            place = None
        used = [w for w in ln if m.group(1).lower() in w.text.lower() or (place and w.text.strip(",.") in place)]
        return term, place, reader.prov(used or ln)
    return None, None, None


@lru_cache(maxsize=1 << 12)
def charge_kind(label: str) -> str | None:
    toks = " ".join(tokens_of(label))
    best, best_score = None, 0.0
    for kind, words in CHARGE_WORDS.items():
        for w in words:
            wt = " ".join(tokens_of(w))
            if re.search(r"\b" + re.escape(wt) + r"\b", toks):
                score = 100 + len(wt)
            else:
                score = fuzz.partial_ratio(wt, toks) if len(wt) >= 6 else 0
                if score < 92:
                    continue
            if score > best_score:
                best, best_score = kind, score
    return best


def last_number(words: Sequence[Word], conv: Conventions) -> tuple[Decimal | None, list[Word]]:
    for i in range(len(words) - 1, -1, -1):
        v = conv.money(words[i].text)
        if v is not None:
            return v, [words[i]]
    return None, []


# --- line items ---------------------------------------------------------------------------------

# the line's tax rate and allowance are read as columns of their own so that their numbers are never taken for
# the price or the amount; they are not line-item fields
INVOICE_COLUMNS = ("line_no", "part_number", "description", "hts", "quantity", "unit", "unit_price", "amount",
                   "country_of_origin", "vat_rate", "discount")
NUMERIC = ("quantity", "unit_price", "amount", "packages", "net_weight", "gross_weight", "weight", "line_no",
           "vat_rate", "discount")


def item_tables(reader: Reader, keys: Sequence[str], anchors: Sequence[str]) -> list[Table]:
    tables = find_tables(reader, keys, anchors, numeric=[k for k in keys if k in NUMERIC])
    # a table of goods names them, counts them or prices them: a tax breakdown (code, rate, base, tax) is none
    goods = {"description", "quantity", "unit_price", "hts", "net_weight", "gross_weight", "packages", "weight"}
    return [t for t in tables if t.rows and (goods & {c.key for c in t.columns} or not goods & set(keys))]


def quantity_and_unit(text: str, conv: Conventions) -> tuple[Decimal | None, str | None]:
    parts = [p for p in text.split() if not _PCT.match(p)]  # a rate beside the quantity is no quantity
    # "1 292 DOZ" (a rule read as a 1): the number written against its unit is the quantity
    for a, b in zip(parts, parts[1:]):
        v, u = conv.number(a), nz.unit_code(b.strip(":;,."))
        if v is not None and u:
            return v, u
    q, unit = None, None
    for i, p in enumerate(parts):
        v = conv.number(p)
        if v is not None and q is None:
            q = v
            continue
        u = nz.unit_code(p)
        if u and unit is None:
            unit = u
    return q, unit


_CODE_PREFIX = re.compile(r"^(?:\[([A-Za-z0-9][\w./-]*)\]|\*([A-Za-z0-9][\w./-]*)\*)\s+(\S.*)$")
_PCT = re.compile(r"^-?\d+(?:[.,]\d+)?\s*%$")
# "(Brut: 65,00) (Rabais: 5,00) (Net): 60,00": a price cell giving gross price, allowance and net price
_PRICE_PART = re.compile(r"\(?\s*([A-Za-zÀ-ÿ][\w .À-ÿ-]*?)\s*\)?\s*:\s*\)?\s*(-?[\d.,' ]*\d)\s*\)?")


def cell_money(text: str, conv: Conventions, key: str = "amount"):
    """A money cell: percentages (a tax rate, a discount rate set into the column) are never the value; where
    the cell names its parts ("Brut: 65,00 Rabais: 5,00 Net: 60,00") the net value is the price (EN 16931
    BT-146 item net price)."""
    words = [t for t in text.split() if not _PCT.match(t)]
    text = " ".join(words)
    if not text:
        return None
    parts = [(fold(m.group(1)).strip(" ."), m.group(2)) for m in _PRICE_PART.finditer(text)]
    if len(parts) >= 2:
        for label, num in parts:
            if any(label == n or label.startswith(n + " ") for n in NET_WORDS):
                return conv.money(num)
    v = conv.money(text)
    if v is None and len(words) > 1:
        vals = [conv.money(t) for t in words]
        vals = [x for x in vals if x is not None]
        if len(vals) == 1:
            v = vals[0]
    return v


def _text_roles(table: Table) -> dict[str, str]:
    """A column named for an article ("Artikel", "Article") that holds the goods' names in words, where the
    table has no description column: it is the description (Dutch and German "Artikel" name either)."""
    keys = {c.key for c in table.columns}
    if "description" in keys or "part_number" not in keys:
        return {}
    texts = [r.text("part_number") or "" for r in table.rows]
    texts = [t for t in texts if t]
    if not texts:
        return {}
    # names in words ("Leather Sleeve 15'' Vintage Brown"), not codes ("ABC 123 XYZ"): three words or more, mostly
    # letters, one at least written in lower case
    wordy = sum(1 for t in texts
                if len(t.split()) >= 3 and sum(c.isalpha() for c in t) >= 0.6 * len(t.replace(" ", ""))
                and re.search(r"[a-zà-ÿ]{3}", t))
    return {"part_number": "description"} if wordy >= max(1, 0.6 * len(texts)) else {}


def row_fields(row: Row, table: Table, conv: Conventions, position: int, reader: Reader,
               weight_unit: str | None = None, roles: dict[str, str] | None = None) -> LineItem:
    roles = roles if roles is not None else _text_roles(table)
    fs = FieldSet()
    prov = reader.prov

    def put(name, value, key):
        fs.set(name, value, prov(row.cells.get(key, [])))

    for col in table.columns:
        key = col.key
        text = row.text(key)
        if text is None:
            continue
        if key == "line_no":
            n = conv.number(text.split()[0]) if text.split() else None
            if n is not None and n == n.to_integral_value() and 0 < n < 10000:
                put("line_no", int(n), key)
        elif key == "part_number" and roles.get(key) != "description":
            pn = nz.clean_text(text)
            if reader.method.get(row.words[0].page) == "ocr" if row.words else False:
                # a scan's specks before or after the code ("'HB-2202", ". CV-310", "WwW CV-310-01")
                toks = pn.split()
                coded = [t for t in toks if any(c.isdigit() for c in t)]
                if len(coded) == 1 and len(toks) > 1 and all(len(t) <= 3 or t is coded[0] for t in toks):
                    pn = coded[0]
                pn = pn.strip("'‘’\".,:;|¡!-_ ")
            put("part_number", pn or None, key)
        elif key == "description" or key == "part_number" and roles.get(key) == "description":
            desc = nz.clean_text(text)
            m = _CODE_PREFIX.match(desc)
            if m and "part_number" not in fs:
                # "[FURN_7777] Office Chair", "*987123* Olive Oil": the seller's code printed before the name
                fs.set("part_number", m.group(1) or m.group(2), prov(row.cells.get(key, [])[:1]))
                desc = m.group(3)
            put("description", desc, key)
        elif key == "hts":
            put("hts", nz.normalize_hts(text), key)
        elif key == "quantity":
            q, u = quantity_and_unit(text, conv)
            put("quantity", q, key)
            if u and "unit" not in fs:
                put("unit", u, key)
        elif key == "unit":
            put("unit", nz.unit_code(text) or nz.clean_text(text).upper(), key)
        elif key in ("unit_price", "amount"):
            put(key, cell_money(text, conv, key), key)
        elif key == "country_of_origin":
            put("country_of_origin", nz.country_code(text), key)
        elif key == "packages":
            q, _ = quantity_and_unit(text, conv)
            put("packages", q, key)
        elif key in ("net_weight", "gross_weight", "weight"):
            q, u = quantity_and_unit(text, conv)
            unit = nz.weight_unit(text) or header_unit(col) or weight_unit or "KG"
            kg = nz.to_kg(q, unit) if q is not None else None
            put({"net_weight": "net_weight_kg", "gross_weight": "gross_weight_kg", "weight": "weight_kg"}[key],
                kg, key)
    _settle_by_arithmetic(row, fs, conv, prov)
    if "line_no" not in fs:
        fs.set("line_no", position)
    words = row.words
    return LineItem(fs, reader.prov(words) if words else None)


def _settle_by_arithmetic(row: Row, fs: FieldSet, conv: Conventions, prov) -> None:
    """A price or amount cell holding several numbers (a gross and a net price, an amount with its tax under
    it): the one that quantity × unit price = amount holds for, within a cent a unit, is the value."""
    q = fs.get("quantity")
    if q is None or q == 0:
        return
    for key, other in (("amount", "unit_price"), ("unit_price", "amount")):
        words = [w for w in row.cells.get(key, []) if not _PCT.match(w.text)]
        if key in fs or len(words) < 2:
            continue
        known = fs.get(other)
        if known is None:
            continue
        for w in words:
            v = conv.money(w.text)
            if v is None:
                continue
            amount, price = (v, known) if key == "amount" else (known, v)
            if abs(q * price - amount) <= Decimal("0.01") * max(Decimal(1), abs(q)):
                fs.set(key, v, prov([w]))
                break


def priced(table: Table) -> bool:
    return bool({c.key for c in table.columns} & {"unit_price", "amount"})


def line_items(reader: Reader, conv: Conventions, keys: Sequence[str], anchors: Sequence[str],
               weight_unit: str | None = None) -> tuple[list[LineItem], list[Table]]:
    tables = item_tables(reader, keys, anchors)
    items: list[LineItem] = []
    for t in tables:
        roles = _text_roles(t)
        for row in t.rows:
            item = row_fields(row, t, conv, len(items) + 1, reader, weight_unit, roles)
            if not any(k in item.fields for k in ("quantity", "part_number", "description", "hts")):
                continue  # an amount with a word beside it: a charge or a total under the table, not goods
            if priced(t) and not any(k in item.fields for k in ("quantity", "unit_price", "amount")):
                continue  # words under a priced row with a stray number: a note, not goods
            if len(item.fields) > 1:
                items.append(item)
    return items, tables


def document_weight_unit(pages: Sequence[Page]) -> str | None:
    """The weight unit a document states most (lb, kg, MT), for columns that do not say."""
    counts: dict[str, int] = {}
    for p in pages:
        for w in p.words:
            u = nz.weight_unit(w.text.strip("().,:"))
            if u:
                counts[u] = counts.get(u, 0) + 1
    return max(counts, key=counts.get) if counts else None


def table_header_lines(reader: Reader, tables: Sequence[Table]) -> set[int]:
    """Indices of reader lines that hold table headers (labels there are column names, not fields)."""
    return {i for t in tables for i in t.header_lines}


# words that make a line prose rather than a label, an address or a table row
_PROSE_WORDS = frozenset(
    "the a an and or of by to is are was were be been has have which that this these those for with from as "
    "remain remains shall will not on in at its their it between under per de la el y los las del que es "
    "son und der die das ist sind le les et des est sont".split())


def prose_notes(pages: Sequence[Page], path: str) -> list[tuple[str, object]]:
    """Statements written as prose outside labels and tables: runs of lines of mostly words, among them the
    small words of sentences ("are both wholly owned by"), joined across their wrapped lines."""
    from ..models.records import Provenance

    out: list[tuple[str, object]] = []
    for page in pages:
        para: list[list[Word]] = []

        def flush() -> None:
            if not para:
                return
            text = nz.clean_text(" ".join(w.text for ln in para for w in ln))
            words = [w for ln in para for w in ln]
            x0, top = min(w.x0 for w in words), min(w.top for w in words)
            x1, bottom = max(w.x1 for w in words), max(w.bottom for w in words)
            method = "ocr" if page.method == "ocr" else "text"
            conf = min((w.conf for w in words), default=1.0)
            out.append((text, Provenance(path, page.number, (x0, top, x1, bottom), method, conf, text[:200])))
            para.clear()

        for ln in lines_of(page.words):
            toks = [w.text.strip(".,;:()\"'“”") for w in ln]
            alpha = [t for t in toks if t.isalpha()]
            small = sum(1 for t in alpha if t.casefold() in _PROSE_WORDS)
            prose = len(toks) >= 6 and len(alpha) >= 0.7 * len(toks) and small >= 2
            if prose and para:
                prev = para[-1]
                h = max(w.bottom - w.top for w in prev)
                gap = min(w.top for w in ln) - max(w.bottom for w in prev)
                if gap > 1.2 * h or abs(ln[0].x0 - para[0][0].x0) > 2 * h:
                    flush()
            if prose:
                para.append(list(ln))
            elif para and len(toks) >= 1 and para and \
                    min(w.top for w in ln) - max(w.bottom for w in para[-1]) <= 1.2 * max(w.bottom - w.top for w in para[-1]) \
                    and abs(ln[0].x0 - para[0][0].x0) <= 4 and para[-1][-1].text[-1:] not in ".!?":
                para.append(list(ln))  # the last wrapped line of a sentence ("… amount to USD 1,234.00.")
            else:
                flush()
        flush()
    return out

