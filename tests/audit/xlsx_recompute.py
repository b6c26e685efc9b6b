"""A workbook recomputed by a formula engine (the ``formulas`` library), as a spreadsheet would: every cell's value
after its formulas run, money to the cent as Decimal."""
from decimal import Decimal, ROUND_HALF_UP
from pathlib import Path


def recomputed_rows(path: Path) -> tuple[list[dict], int]:
    """The first sheet's rows (header → value), each formula replaced by its computed value, and how many formulas
    the sheet holds."""
    import formulas
    from openpyxl import load_workbook

    ws = load_workbook(path).active
    sol = formulas.ExcelModel().loads(str(path)).finish().calculate()
    prefix = f"'[{Path(path).name}]{ws.title.upper()}'!"
    header = [c.value for c in ws[1]]
    rows, count = [], 0
    for row in ws.iter_rows(min_row=2):
        out = {}
        for h, c in zip(header, row):
            v = c.value
            if isinstance(v, str) and v.startswith("="):
                count += 1
                v = sol[prefix + c.coordinate].value[0, 0]
                v = v.item() if hasattr(v, "item") else v  # a numpy scalar
            if isinstance(v, bool):
                pass
            elif isinstance(v, int):  # a whole number (a line number, or money without cents)
                v = Decimal(v)
            elif isinstance(v, float):  # money: to the cent, as the sheet shows it
                v = Decimal(repr(v)).quantize(Decimal("0.01"), ROUND_HALF_UP)
            out[h] = v
        rows.append(out)
    return rows, count
