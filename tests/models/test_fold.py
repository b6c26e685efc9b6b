"""The one folding helper: names, labels, identifiers, HTS digits, percentages."""
from decimal import Decimal

from appraiser.extract import labels, normalize
from appraiser.models.fold import fmt_pct, fold, fold_name, hts_digits, id_key, strip_accents


def test_folding():
    assert strip_accents("Schwäbische Straße") == "Schwabische Straße"
    assert fold("Schwäbische STRASSE Größe") == "schwabische strasse grosse"
    assert fold_name("Valve & Fitting Müller") == "Valve and Fitting Muller"
    assert id_key("abc-123 4567/8") == "ABC12345678" and id_key(42) == "42"
    assert hts_digits("CO 7308.90.9590") == "7308909590" and hts_digits(None) == ""
    assert fmt_pct(Decimal("7.50")) == "7.5 %" and fmt_pct(Decimal("50")) == "50 %" and fmt_pct("0.3464", "") == "0.3464"


def test_extraction_uses_the_shared_helpers():
    assert normalize.id_key is id_key and labels.fold is fold
