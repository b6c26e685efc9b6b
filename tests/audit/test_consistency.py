"""HTS_MISMATCH, QUANTITY_MISMATCH and ARITHMETIC_ERROR (audit/hts.py, quantity.py, arithmetic.py; shared helpers in audit/crosscheck.py): the planted corpus findings with
their loss to the cent, silence on every other entry, and the tolerances (precision, units, rounding) on made-up
entries."""
import json
from decimal import Decimal as D
from pathlib import Path

import pytest

from appraiser.audit import audit
from appraiser.audit.revenue import Tariff, load_tariff
from appraiser.models.convert import document_from_json
from appraiser.models.records import Document, FieldSet, LineItem

ROOT = Path(__file__).resolve().parents[2]
CODES = ("HTS_MISMATCH", "QUANTITY_MISMATCH", "ARITHMETIC_ERROR")


def _corpus(split):
    folder = ROOT / "fixtures" / "corpus" / split
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    docs = [document_from_json(d) for d in truth["documents"]]
    return truth, docs, audit(docs, tariff=load_tariff(folder / "tariff.csv"))


# --- the corpus ----------------------------------------------------------------------------------------

def test_planted_findings_of_the_dev_corpus_with_their_loss_to_the_cent():
    truth, docs, result = _corpus("dev")
    assert not result.errors
    expected = [f for f in truth["findings"] if f["code"] in CODES]
    assert {f["code"] for f in expected} == set(CODES)
    by_path = {d.path: d for d in docs}
    for tf in expected:
        found = [f for f in result.findings if f.code == tf["code"] and f.entry_number == tf["entry_number"]]
        assert len(found) == 1, tf
        f = found[0]
        assert f.loss_of_revenue == D(tf["loss_of_revenue"]) and f.duty_delta == D(tf["duty_delta"])
        assert f.fees_delta == D(tf["fees_delta"]) and f.value_delta == D(tf["value_delta"])
        assert f.line_no == tf["line_no"]
        assert f.evidence and f.arithmetic and f.explanation
        # the document the truth cites is among the evidence, and the explanation gives its figures
        cited = tf["evidence"][0]["path"]
        assert cited in {e.path for e in f.evidence}
        inv = by_path[cited]
        if f.code == "HTS_MISMATCH":
            assert str(inv.line_items[0].get("hts")) in f.explanation
            assert f.rate_unknown  # the schedule has no rate for the invoice's number
        if f.code == "ARITHMETIC_ERROR":
            bad = [li for li in inv.line_items if li.get("quantity") * li.get("unit_price") != li.get("amount")]
            assert bad and all(f"shown {li.get('amount'):,}" in f.explanation for li in bad)
            assert "follows the amounts as shown" in f.explanation
        if f.code == "QUANTITY_MISMATCH":
            pls = [by_path[p] for p in next(e for e in truth["entries"] if e["entry_number"] == f.entry_number)
                   ["documents"] if by_path[p].doc_type == "packing_list"]
            inv_q = {li.get("part_number"): li.get("quantity") for li in inv.line_items}
            diff = [li for li in pls[0].line_items if inv_q.get(li.get("part_number")) != li.get("quantity")]
            assert diff and all(f"{li.get('quantity'):,}" in f.explanation for li in diff)


@pytest.mark.parametrize("split", ["dev", "check"])
def test_entries_without_these_findings_get_none_of_them(split):
    truth, _, result = _corpus(split)
    planted = {(f["entry_number"], f["code"]) for f in truth["findings"]}
    mine = [(f.entry_number, f.code) for f in result.findings if f.code in CODES]
    assert set(mine) <= planted and len(mine) == len(set(mine))
    clean = {e["entry_number"] for e in truth["entries"]} - {f["entry_number"] for f in truth["findings"]}
    assert clean and not [m for m in mine if m[0] in clean]


# --- made-up entries -------------------------------------------------------------------------------------

def entry(lines, number="ABC-1234567-6", **header):
    fields = {"entry_number": number, "entry_date": "2025-05-01", "mode_of_transport": "40",
              "invoice_numbers": ["A-1"], "importer": {"name": "Acme Imports Inc."},
              "total_entered_value": sum((D(ln["entered_value"]) for ln in lines if "entered_value" in ln), D(0)),
              **header}
    return Document.of("7501.pdf", "entry_summary", fields, lines)


def invoice(items, path="inv.pdf", **fields):
    return Document.of(path, "commercial_invoice", {"invoice_number": "A-1", "currency": "USD",
                                                    "seller": {"name": "Gear Works GmbH"}, **fields}, items)


def packing(items, path="pl.pdf", **fields):
    return Document.of(path, "packing_list", {"invoice_number": "A-1", **fields}, items)


def findings(*docs, tariff=None):
    result = audit(list(docs), tariff=tariff)
    assert not result.errors
    return {f.code: f for f in result.findings if f.code in CODES}


def line(**kw):
    base = {"line_no": 1, "hts": "8483.90.5000", "description": "GEAR PARTS", "entered_value": D("10000"),
            "duty_rate": D("2.8"), "quantity": D("100"), "unit": "PCS"}
    return {**base, **kw}


def item(**kw):
    base = {"line_no": 1, "part_number": "G-1", "description": "Gear housing", "hts": "8483.90.5000",
            "quantity": D("100"), "unit": "PCS", "unit_price": D("100.00"), "amount": D("10000.00")}
    return {**base, **kw}


# HTS

@pytest.mark.parametrize("given", ["8483.90", "8483.90.50", "848390", "8483.90.5000", "8483.90.50.00"])
def test_an_invoice_hts_consistent_at_the_precision_it_gives_is_no_mismatch(given):
    assert "HTS_MISMATCH" not in findings(entry([line()]), invoice([item(hts=given)], total=D("10000.00")))


def test_a_six_digit_invoice_hts_that_differs_is_a_mismatch():
    f = findings(entry([line()]), invoice([item(hts="8483.40")], total=D("10000.00")))["HTS_MISMATCH"]
    assert f.line_no == 1 and "8483.40" in f.explanation and "six-digit" in f.explanation
    assert f.rate_unknown and f.loss_of_revenue == D("0.00")


TARIFF = Tariff({"84839050": "2.8%", "84834050": "5.7%", "84839080": "2.8%", "84831010": "Free",
                 "61091000": "16.5%", "61051000": "19.7%"},
                {"84834050": "Free (A,AU,CO)", "61091000": "Free (CO,MX)"})


def test_a_higher_rate_under_the_invoice_number_owes_the_difference_on_the_line_value():
    f = findings(entry([line()]), invoice([item(hts="8483.40.5010")], total=D("10000.00")),
                 tariff=TARIFF)["HTS_MISMATCH"]
    # 10,000 × (5.7 % − 2.8 %) = 290.00; no fee changes
    assert (f.duty_delta, f.fees_delta, f.loss_of_revenue, f.value_delta) == (D("290.00"), D(0), D("290.00"), D(0))
    assert not f.rate_unknown and any("290.00" in s for s in f.arithmetic)


def test_an_hts_change_between_equal_rates_carries_nothing():
    f = findings(entry([line()]), invoice([item(hts="8483.90.8080")], total=D("10000.00")),
                 tariff=TARIFF)["HTS_MISMATCH"]
    assert f.loss_of_revenue == D("0.00") and not f.rate_unknown and "national subdivisions" in f.explanation


def test_a_lower_rate_is_no_loss_of_revenue():
    f = findings(entry([line()]), invoice([item(hts="8483.10.1000")], total=D("10000.00")),
                 tariff=TARIFF)["HTS_MISMATCH"]
    assert f.loss_of_revenue == D("0.00") and f.duty_delta == D("0.00") and "overpaid" in f.explanation


def test_a_preference_claimed_takes_the_special_rate_of_the_documents_number():
    decl = line(hts="8483.90.5000", duty_rate=D("0"), spi="CO")
    f = findings(entry([decl]), invoice([item(hts="8483.40.5010")], total=D("10000.00")),
                 tariff=TARIFF)["HTS_MISMATCH"]
    assert f.loss_of_revenue == D("0.00") and not f.rate_unknown


def test_only_the_share_of_the_goods_under_another_number_is_charged():
    items = [item(hts="8483.40.5010", amount=D("2500.00"), quantity=D("25")),
             item(line_no=2, part_number="G-2", hts="8483.90.5000", amount=D("7500.00"), quantity=D("75"))]
    f = findings(entry([line()]), invoice(items, total=D("10000.00")), tariff=TARIFF)["HTS_MISMATCH"]
    assert f.duty_delta == D("72.50")  # 10,000 × 2,500 / 10,000 × 2.9 %


def test_goods_are_matched_to_their_line_in_a_multi_line_entry():
    lines = [line(), line(line_no=2, hts="6109.10.0012", description="MEN'S COTTON T-SHIRTS",
                          entered_value=D("5000"), quantity=D("100"), unit="DOZ", duty_rate=D("16.5"))]
    items = [item(), item(line_no=2, part_number="T-1", description="Men's cotton t-shirts", hts="6105.10.0010",
                          quantity=D("100"), unit="DOZ", unit_price=D("50.00"), amount=D("5000.00"))]
    f = findings(entry(lines), invoice(items, total=D("15000.00")), tariff=TARIFF)["HTS_MISMATCH"]
    assert f.line_no == 2 and f.duty_delta == D("160.00")  # 5,000 × (19.7 % − 16.5 %)
    assert f.severity == "medium" and f.confidence >= 0.8


def test_a_weak_match_lowers_severity_and_confidence():
    lines = [line(), line(line_no=2, hts="9403.60.8081", description="WOODEN FURNITURE", entered_value=D("7000"),
                          duty_rate=D("0"))]
    items = [item(description="Assorted spare items", hts="8483.40.5010", amount=D("3000.00"), quantity=D("30"))]
    f = findings(entry(lines), invoice(items, total=D("3000.00")))["HTS_MISMATCH"]
    assert f.line_no == 1 and f.severity == "low" and f.confidence < 0.8 and "loosely" in f.explanation


def test_section_232_split_lines_are_one_kind_of_goods():
    lines = [line(hts="7308.90.9590", description="STEEL STRUCTURES", entered_value=D("8000"), duty_rate=D("0"),
                  quantity=D("5000"), unit="KG", additional=[{"hts": "9903.81.91", "rate": D("50")}]),
             line(line_no=2, hts="7308.90.9590", description="STEEL STRUCTURES (NON-STEEL CONTENT)",
                  entered_value=D("2000"), duty_rate=D("0"), quantity=D("5000"), unit="KG")]
    tariff = Tariff({"73089095": "Free", "73269086": "2.9%"}, {})
    items = [item(description="Steel structures", hts="7326.90.8688", quantity=D("10"), unit="PCS",
                  unit_price=D("1000.00"), amount=D("10000.00"))]
    got = findings(entry(lines), invoice(items, total=D("10000.00")), tariff=tariff)
    assert got["HTS_MISMATCH"].line_no == 1 and got["HTS_MISMATCH"].duty_delta == D("290.00")
    assert "QUANTITY_MISMATCH" not in got  # the weight repeated on both lines is one weight


def test_a_number_one_digit_off_on_a_scan_is_a_misreading():
    scan = invoice([item(hts="8483.90.5080"), item(line_no=2, part_number="G-2", hts="8483.90.5000")],
                   total=D("20000.00"))
    scan.ocr = True
    assert "HTS_MISMATCH" not in findings(entry([line(entered_value=D("20000"), quantity=D("200"))]), scan)


def coo(goods, **fields):
    return Document.of("coo.pdf", "certificate_of_origin",
                       {"exporter": {"name": "Gear Works GmbH"}, "importer": {"name": "Acme Imports Inc."},
                        "agreement": "CTPA", "goods": goods, **fields})


def test_a_certificate_of_origin_giving_another_number_for_the_same_goods():
    lines = [line(hts="6109.10.0012", description="MEN'S COTTON T-SHIRTS", quantity=D("100"), unit="DOZ")]
    items = [item(description="Men's crew neck t-shirt", hts="6109.10.0012", unit="DOZ")]
    same = coo([{"description": "Men's cotton t-shirts", "hts": "6109.10", "origin_criterion": "B"}])
    assert "HTS_MISMATCH" not in findings(entry(lines), invoice(items, total=D("10000.00")), same)
    other = coo([{"description": "Men's cotton t-shirts", "hts": "6105.10", "origin_criterion": "B"}])
    f = findings(entry(lines), invoice(items, total=D("10000.00")), other)["HTS_MISMATCH"]
    assert "certificate of origin" in f.explanation and "6105.10" in f.explanation and f.line_no == 1
    # a blanket certificate's other goods are not this entry's goods
    scarves = coo([{"description": "Women's silk scarves", "hts": "6214.10", "origin_criterion": "B"}])
    assert "HTS_MISMATCH" not in findings(entry(lines), invoice(items, total=D("10000.00")), scarves)


def test_a_certificate_disagreeing_with_an_invoice_that_agrees_with_the_entry_costs_no_duty():
    lines = [line(hts="6109.10.0012", description="MEN'S COTTON T-SHIRTS", quantity=D("100"), unit="DOZ",
                  duty_rate=D("16.5"))]
    items = [item(description="Men's crew neck t-shirt", hts="6109.10.0012", unit="DOZ")]
    other = coo([{"description": "Men's cotton t-shirts", "hts": "6105.10", "origin_criterion": "B"}])
    f = findings(entry(lines), invoice(items, total=D("10000.00")), other, tariff=TARIFF)["HTS_MISMATCH"]
    assert f.loss_of_revenue == D("0.00") and "invoice gives the declared number" in f.explanation


# quantities and weights

def test_a_packing_list_short_of_the_invoice_reports_both_figures():
    pl = packing([{"line_no": 1, "part_number": "G-1", "quantity": D("90"), "unit": "PCS"}])
    f = findings(entry([line()]), invoice([item()], total=D("10000.00")), pl)["QUANTITY_MISMATCH"]
    assert "100 PCS" in f.explanation and "90 PCS" in f.explanation and "difference 10 PCS" in f.explanation
    assert f.loss_of_revenue == D("0.00") and f.line_no == 1 and "follows the invoice" in f.explanation


def test_lines_without_part_numbers_pair_by_description():
    inv = invoice([item(part_number=None, description="Gear housing, machined")], total=D("10000.00"))
    pl = packing([{"line_no": 1, "description": "Gear housing, machined", "quantity": D("96"), "unit": "PCS"}])
    assert "QUANTITY_MISMATCH" in findings(entry([line()]), inv, pl)
    pl_ok = packing([{"line_no": 1, "description": "Gear housing, machined", "quantity": D("100"), "unit": "EA"}])
    assert "QUANTITY_MISMATCH" not in findings(entry([line()]), inv, pl_ok)
    # a 54 cm frame is not a 58 cm frame, however alike the words
    two = invoice([item(part_number=None, description="Bicycle frame 54 cm", quantity=D("60"), amount=D("6000.00")),
                   item(line_no=2, part_number=None, description="Bicycle frame 58 cm", quantity=D("40"),
                        amount=D("4000.00"))], total=D("10000.00"))
    pl_two = packing([{"line_no": 1, "description": "Bicycle frame 58 cm", "quantity": D("40"), "unit": "PCS"},
                      {"line_no": 2, "description": "Bicycle frame 54 cm", "quantity": D("60"), "unit": "PCS"}])
    assert "QUANTITY_MISMATCH" not in findings(entry([line()]), two, pl_two)


def test_a_packing_list_grouping_the_lines_differently_is_no_mismatch():
    items = [item(part_number="G-1-01", quantity=D("40"), amount=D("4000.00")),
             item(line_no=2, part_number="G-1-02", quantity=D("60"), amount=D("6000.00"))]
    pl = packing([{"line_no": 1, "part_number": "G-1", "quantity": D("100"), "unit": "PCS"}])
    assert "QUANTITY_MISMATCH" not in findings(entry([line()]), invoice(items, total=D("10000.00")), pl)
    # one part over two invoice lines, one packing-list line
    split = [item(quantity=D("40"), amount=D("4000.00")), item(line_no=2, quantity=D("60"), amount=D("6000.00"))]
    pl_one = packing([{"line_no": 1, "part_number": "G-1", "quantity": D("100"), "unit": "PCS"}])
    assert "QUANTITY_MISMATCH" not in findings(entry([line()]), invoice(split, total=D("10000.00")), pl_one)


def test_dozens_against_pieces_only_when_the_pieces_are_whole_dozens():
    inv = invoice([item(quantity=D("10"), unit="DZ", unit_price=D("1000.00"))], total=D("10000.00"))
    decl = line(quantity=D("10"), unit="DOZ")
    assert "QUANTITY_MISMATCH" not in findings(entry([decl]), inv, packing(
        [{"line_no": 1, "part_number": "G-1", "quantity": D("120"), "unit": "PCS"}]))
    assert "QUANTITY_MISMATCH" not in findings(entry([decl]), inv, packing(
        [{"line_no": 1, "part_number": "G-1", "quantity": D("125"), "unit": "PCS"}]))  # not whole dozens
    assert "QUANTITY_MISMATCH" in findings(entry([decl]), inv, packing(
        [{"line_no": 1, "part_number": "G-1", "quantity": D("108"), "unit": "PCS"}]))  # 9 dozen


def test_the_invoices_total_against_the_entry_quantity():
    inv = invoice([item(quantity=D("100")), item(line_no=2, part_number="G-2", quantity=D("20"),
                                                  amount=D("2000.00"))], total=D("12000.00"))
    f = findings(entry([line(quantity=D("100"), entered_value=D("12000"))]), inv)["QUANTITY_MISMATCH"]
    assert "100 PCS declared" in f.explanation and "120 PCS" in f.explanation
    ok = entry([line(quantity=D("120"), unit="NO", entered_value=D("12000"))])
    assert "QUANTITY_MISMATCH" not in findings(ok, inv)


STEEL = dict(hts="7308.90.9590", description="FABRICATED STRUCTURAL STEEL", duty_rate=D("0"), quantity=D("18640"),
             unit="KG", entered_value=D("10000"))


def steel_invoice(qty=D("18.64"), unit="t"):
    price = (D("10000") / qty).quantize(D("0.0001"))
    amount = (qty * price).quantize(D("0.01"))
    return invoice([item(hts="7308.90.9590", description="Structural beams", quantity=qty, unit=unit,
                         unit_price=price, amount=amount)], total=amount)


def test_weights_in_pounds_or_tonnes_within_tolerance_are_no_mismatch():
    # 41,094 lb = 18,639.93 kg; 18.64 t = 18,640 kg; the packing list's pounds converted when read
    pl = packing([{"line_no": 1, "part_number": "G-1", "quantity": D("41094"), "unit": "LB",
                   "net_weight_kg": D("18639.93")}], total_net_weight_kg=D("18639.93"))
    mtc = Document.of("mtc.pdf", "mill_certificate", {"invoice_number": "A-1", "total_weight_kg": D("18640")},
                      [{"heat_number": "H1", "weight_kg": D("11200")}, {"heat_number": "H2", "weight_kg": D("7440")}])
    for inv in (steel_invoice(), steel_invoice(D("41094"), "LB"), steel_invoice(D("18640"), "kg")):
        assert "QUANTITY_MISMATCH" not in findings(entry([line(**STEEL)]), inv, pl, mtc)


def test_weights_beyond_tolerance_give_both_figures_and_the_difference():
    pl = packing([], total_net_weight_kg=D("18000"))
    f = findings(entry([line(**STEEL)]), steel_invoice(), pl)["QUANTITY_MISMATCH"]
    assert "18,000 kg" in f.explanation and "18,640 kg" in f.explanation and "difference 640 kg" in f.explanation
    assert f.loss_of_revenue == D("0.00")
    heavy = steel_invoice(D("19.5"))
    assert "19,500 KG" in findings(entry([line(**STEEL)]), heavy)["QUANTITY_MISMATCH"].explanation


def test_a_packing_list_weighs_the_entry_only_when_it_covers_every_invoice():
    two = [invoice([item(hts="7308.90.9590", quantity=D("10"), unit="t", unit_price=D("500.00"),
                         amount=D("5000.00"))], total=D("5000.00")),
           invoice([item(hts="7308.90.9590", part_number="G-2", quantity=D("8.64"), unit="t", unit_price=D("578.70"),
                         amount=D("5000.00"))], path="inv2.pdf", invoice_number="A-2", total=D("5000.00"))]
    pl = packing([], total_net_weight_kg=D("10000"))  # the first invoice's goods only
    decl = entry([line(**STEEL)], invoice_numbers=["A-1", "A-2"])
    assert "QUANTITY_MISMATCH" not in findings(decl, *two, pl)
    pl2 = packing([], path="pl2.pdf", invoice_number="A-2", packing_list_number="P-2", total_net_weight_kg=D("8000"))
    f = findings(decl, *two, packing([], packing_list_number="P-1", total_net_weight_kg=D("10000")), pl2)
    assert "18,000 kg" in f["QUANTITY_MISMATCH"].explanation  # 10,000 + 8,000 against 18,640 declared


def test_cartons_without_a_unit_and_pounds_written_as_kilograms_are_no_mismatch():
    cartons = packing([{"line_no": 1, "part_number": "G-1", "quantity": D("4"), "packages": D("4")}])
    assert "QUANTITY_MISMATCH" not in findings(entry([line()]), invoice([item()], total=D("10000.00")), cartons)
    pieces = packing([{"line_no": 1, "part_number": "G-1", "quantity": D("96"), "packages": D("4")}])
    assert "QUANTITY_MISMATCH" in findings(entry([line()]), invoice([item()], total=D("10000.00")), pieces)
    # 41,094 (pounds) on the packing list where kilograms were meant: a unit read wrong, not 22,454 kg missing
    lb = packing([], total_net_weight_kg=D("41094"))
    assert "QUANTITY_MISMATCH" not in findings(entry([line(**STEEL)]), steel_invoice(), lb)


def test_a_mill_certificate_whose_heats_do_not_make_its_total():
    mtc = Document.of("mtc.pdf", "mill_certificate", {"invoice_number": "A-1", "total_weight_kg": D("18640")},
                      [{"heat_number": "H1", "weight_kg": D("11200")}, {"heat_number": "H2", "weight_kg": D("6440")}])
    f = findings(entry([line(**STEEL)]), steel_invoice(), mtc)["QUANTITY_MISMATCH"]
    assert "heats add up to 17,640 kg" in f.explanation


def test_a_scan_whose_separator_was_misread_is_no_mismatch():
    pl = packing([{"line_no": 1, "part_number": "G-1", "quantity": D("100"), "unit": "PCS",
                   "net_weight_kg": D("18.64")}], total_net_weight_kg=D("18.64"))
    pl.ocr = True
    assert "QUANTITY_MISMATCH" not in findings(entry([line(**STEEL)]), steel_invoice(), pl)


# arithmetic

@pytest.mark.parametrize("q,p,a", [("3", "0.3333", "1.00"), ("7", "1.005", "7.04"), ("1250", "0.0837", "104.63"),
                                   ("3", "2.675", "8.03"), ("10", "2.50", "25.01"), ("10000", "0.0837", "837.20")])
def test_rounding_is_no_arithmetic_error(q, p, a):
    inv = invoice([item(quantity=D(q), unit_price=D(p), amount=D(a))], total=D(a))
    assert "ARITHMETIC_ERROR" not in findings(entry([line(quantity=D(q))]), inv)


def test_every_bad_line_in_one_finding_per_invoice():
    items = [item(quantity=D("10"), unit_price=D("2.50"), amount=D("52.00")),
             item(line_no=2, part_number="G-2", quantity=D("4"), unit_price=D("3.00"), amount=D("12.00")),
             item(line_no=3, part_number="G-3", quantity=D("5"), unit_price=D("1.10"), amount=D("6.50"))]
    inv = invoice(items, total=D("70.50"))
    result = audit([entry([line(quantity=D("19"), entered_value=D("71"))]), inv])
    mine = [f for f in result.findings if f.code == "ARITHMETIC_ERROR"]
    assert len(mine) == 1
    f = mine[0]
    assert "10 × 2.50 = 25.00, shown 52.00" in f.explanation and "5 × 1.10 = 5.50, shown 6.50" in f.explanation
    assert "line 2" not in f.explanation and f.loss_of_revenue == D("0.00")
    assert "follows the amounts as shown" in f.explanation


def test_the_entered_value_following_the_multiplied_out_figure_is_said():
    inv = invoice([item(quantity=D("10"), unit_price=D("2.50"), amount=D("52.00"))], total=D("52.00"))
    f = findings(entry([line(quantity=D("10"), entered_value=D("25"))]), inv)["ARITHMETIC_ERROR"]
    assert "follows quantity × unit price" in f.explanation
    assert "the total shows" not in f.explanation  # the total follows its lines


def test_subtotal_charges_discounts_and_total():
    items = [item(amount=D("10000.00")), item(line_no=2, part_number="G-2", quantity=D("10"), amount=D("1000.00"))]
    charges = [{"kind": "freight", "description": "Freight", "amount": D("500.00")},
               {"kind": "discount", "description": "Discount 2 %", "amount": D("220.00")}]
    ok = invoice(items, subtotal=D("11000.00"), total=D("11280.00"), charges=charges)
    decl = [line(quantity=D("110"), entered_value=D("10780"))]
    assert "ARITHMETIC_ERROR" not in findings(entry(decl), ok)
    # the discount written as a negative amount
    neg = [{**charges[0]}, {**charges[1], "amount": D("-220.00")}]
    assert "ARITHMETIC_ERROR" not in findings(entry(decl), invoice(items, subtotal=D("11000.00"),
                                                                     total=D("11280.00"), charges=neg))
    bad_total = invoice(items, subtotal=D("11000.00"), total=D("11780.00"), charges=charges)
    f = findings(entry(decl), bad_total)["ARITHMETIC_ERROR"]
    assert "the total shows 11,780.00" in f.explanation and "11,280.00" in f.explanation
    bad_sub = invoice(items, subtotal=D("11100.00"), total=D("11380.00"), charges=charges)
    assert "subtotal shows 11,100.00" in findings(entry(decl), bad_sub)["ARITHMETIC_ERROR"].explanation


def test_charges_also_written_as_lines_and_unitemised_charges_are_no_error():
    items = [item(amount=D("10000.00")),
             {"line_no": 2, "description": "Crating and transport", "quantity": D("1"), "unit_price": D("500.00"),
              "amount": D("500.00")}]
    charges = [{"kind": "freight", "description": "Crating and transport", "amount": D("500.00")}]
    assert "ARITHMETIC_ERROR" not in findings(entry([line()]), invoice(items, total=D("10500.00"), charges=charges))
    # a subtotal and a larger total with nothing itemised between them (tax, freight not read): no telling
    assert "ARITHMETIC_ERROR" not in findings(entry([line()]), invoice([item()], subtotal=D("10000.00"),
                                                                         total=D("11900.00")))


def test_carried_forward_rows_and_page_subtotals_are_not_errors():
    items = [item(line_no=n, part_number=f"G-{n}", quantity=D("10"), amount=D("1000.00")) for n in range(1, 4)]
    carried = {"description": "Carried forward", "amount": D("3000.00")}
    more = [item(line_no=n, part_number=f"G-{n}", quantity=D("10"), amount=D("1000.00")) for n in range(4, 6)]
    inv = invoice(items + [carried, dict(carried, description="Brought forward")] + more, total=D("5000.00"))
    decl = [line(quantity=D("50"), entered_value=D("5000"))]
    assert "ARITHMETIC_ERROR" not in findings(entry(decl), inv)
    # the first page's subtotal read as the invoice's
    page = invoice(items + more, subtotal=D("3000.00"), total=D("5000.00"))
    assert "ARITHMETIC_ERROR" not in findings(entry(decl), page)
    # a line missing from the numbering (not read) leaves the sum unchecked
    gap = invoice(items[:1] + items[2:] + more, total=D("5000.00"))
    assert "ARITHMETIC_ERROR" not in findings(entry(decl), gap)
    # a packing list listing a part the invoice's lines lack: a line not read
    pl = packing([{"line_no": n, "part_number": f"G-{n}", "quantity": D("10"), "unit": "PCS"} for n in range(1, 6)])
    assert "ARITHMETIC_ERROR" not in findings(entry(decl), invoice(items + more[:1], total=D("5000.00")), pl)
    # but complete lines that miss the total are an error
    short = invoice(items + more, total=D("5100.00"))
    assert "the lines add up to 5,000.00, the total shows 5,100.00 (difference +100.00)" in \
        findings(entry(decl), short)["ARITHMETIC_ERROR"].explanation
    # rows of text only (a description running on) are no lines
    text_rows = invoice(items + [{"description": "continued: machined, painted"}] + more, total=D("5000.00"))
    assert "ARITHMETIC_ERROR" not in findings(entry(decl), text_rows)
    text_rows_short = invoice(items + [{"description": "continued"}] + more, total=D("5100.00"))
    assert "ARITHMETIC_ERROR" in findings(entry(decl), text_rows_short)


def test_currencies_without_cents_and_prices_per_hundred():
    yen = invoice([item(quantity=D("3"), unit_price=D("333.5"), amount=D("1001"))], total=D("1001"), currency="JPY")
    assert "ARITHMETIC_ERROR" not in findings(entry([line(quantity=D("3"))], currency="JPY",
                                                    exchange_rate=D("0.0068")), yen)
    per_c = invoice([item(quantity=D("5000"), unit="PCS", unit_price=D("12.40"), amount=D("620.00"))],
                    total=D("620.00"))
    assert "ARITHMETIC_ERROR" not in findings(entry([line(quantity=D("5000"))]), per_c)


def test_an_assist_invoice_is_checked_too():
    a = Document.of("tool.pdf", "assist_invoice", {"invoice_number": "T-1", "currency": "USD", "total": D("9000.00"),
                                                   "buyer": {"name": "Acme Imports Inc."}, "part_numbers": ["G-1"]},
                    [{"line_no": 1, "description": "Mould", "quantity": D("2"), "unit_price": D("4000.00"),
                      "amount": D("9000.00")}])
    got = audit([entry([line()]), invoice([item()], total=D("10000.00")), a]).findings
    f = [f for f in got if f.code == "ARITHMETIC_ERROR"]
    assert len(f) == 1 and "assist invoice T-1" in f[0].explanation and "2 × 4,000.00 = 8,000.00" in f[0].explanation


def test_a_scan_misread_is_no_arithmetic_error_but_a_scan_total_following_a_bad_line_is():
    # a dropped digit ("24.00" for 9,024.00) whose total follows quantity × price: the scan, not the invoice
    items = [item(quantity=D("141"), unit_price=D("64.00"), amount=D("24.00")),
             item(line_no=2, part_number="G-2", quantity=D("60"), unit_price=D("66.50"), amount=D("3990.00"))]
    scan = invoice(items, total=D("13014.00"))
    scan.ocr = True
    decl = [line(quantity=D("201"), entered_value=D("13014"))]
    assert "ARITHMETIC_ERROR" not in findings(entry(decl), scan)
    # a planted error keeps its total: 281 × 64 = 17,984 shown 18,884, total the sum of the amounts shown
    wrong = invoice([item(quantity=D("281"), unit_price=D("64.00"), amount=D("18884.00")),
                     item(line_no=2, part_number="G-2", quantity=D("180"), unit_price=D("66.50"),
                          amount=D("11970.00"))], total=D("30854.00"))
    wrong.ocr = True
    assert "ARITHMETIC_ERROR" in findings(entry([line(quantity=D("461"), entered_value=D("30854"))]), wrong)


# missing fields

def test_missing_fields_stay_silent_and_never_raise():
    docs = [
        entry([{"line_no": 1}, {"line_no": 2, "hts": "8483.90.5000"}, {"hts": "9903.81.91"}]),
        invoice([{"line_no": 1}, {"line_no": 2, "quantity": D("1")}, {"hts": "84"}, {"amount": D("5")},
                 {"quantity": D("2"), "unit": "???", "unit_price": D("0"), "amount": D("3")}],
                charges=[{"kind": "freight"}, "not a charge"], total=D("8")),
        packing([{"line_no": 1}, {"part_number": "G-1"}, {"part_number": "G-1", "quantity": D("3"), "unit": None}]),
        Document.of("mtc.pdf", "mill_certificate", {"invoice_number": "A-1"}, [{"heat_number": "H1"}]),
        coo([None, {"hts": None}, {"description": "x"}, "text"]),
        Document.of("tool.pdf", "assist_invoice", {}, [{}]),
        Document.of("other.pdf", "packing_list", {}, []),
    ]
    result = audit(docs)
    assert not result.errors
    assert not [f for f in result.findings if f.code in CODES]
    # documents without any fields at all
    bare = [Document.of("7501.pdf", "entry_summary", {"entry_number": "ABC-1234567-6"}, []),
            Document("x.pdf", "", "commercial_invoice", fields=FieldSet(), line_items=[LineItem()])]
    result = audit(bare)
    assert not result.errors and not [f for f in result.findings if f.code in CODES]


def test_values_of_the_wrong_kind_never_raise():
    odd = ["abc", True, 5, [], {}, "NaN", "Infinity", 1.5, {"x": 1}, ["8483.90"]]
    for n, bad in enumerate(odd):
        docs = [
            entry([line(quantity=bad, unit=bad, description=bad), line(line_no=2, hts=bad, entered_value=D("1"))]),
            invoice([item(quantity=bad), item(line_no=2, unit_price=bad, hts=bad, unit=bad, part_number=bad),
                     item(line_no=bad, amount=bad, description=bad)],
                    total=bad, subtotal=bad, charges=bad, currency=bad),
            packing([{"line_no": 1, "part_number": bad, "quantity": bad, "unit": bad, "net_weight_kg": bad},
                     {"line_no": 2, "part_number": "G-1", "quantity": D("3"), "unit": bad}],
                    total_net_weight_kg=bad),
            Document.of("mtc.pdf", "mill_certificate", {"invoice_number": "A-1", "total_weight_kg": bad},
                        [{"heat_number": "H1", "weight_kg": bad}]),
            coo(bad if n % 2 else [bad, {"hts": bad, "description": bad}]),
        ]
        result = audit(docs, tariff=TARIFF)
        assert not [e for e in result.errors if any(c in e for c in CODES)], (bad, result.errors)
