"""Any file name a share holds (bytes that are not UTF-8, newlines, quotes, `$(...)`, terminal escapes, a leading
`--`) is read, stored losslessly, exported as JSON and printed with its control characters escaped."""
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from appraiser.cli import main
from appraiser.models.fold import path_of, path_text, printable

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "fixtures" / "demo"

NAMES = [b"factura_espa\xf1a.pdf", b"a\nnewline $(touch pwned) \x1b[31mred.pdf", b"--help.pdf",
         b"quote's \"both\".pdf", b"back\\slash \xff\xfe.pdf", "日本語 Zürich.pdf".encode()]


@pytest.mark.parametrize("name", NAMES)
def test_a_name_round_trips_through_its_text(name):
    fs = os.fsdecode(name)
    text = path_text(fs)
    text.encode("utf-8")  # storable: no lone surrogates
    assert path_of(text) == fs and os.fsencode(path_of(text)) == name


def test_a_utf8_name_is_its_own_text_and_printing_escapes_controls():
    assert path_text("Rechnung Zürich.pdf") == "Rechnung Zürich.pdf"
    assert printable("a\nb \x1b[31mred") == "a\\nb \\x1b[31mred"
    assert printable("plain") == "plain"


@pytest.fixture(scope="module")
def hostile_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("names")
    sources = sorted(DEMO.rglob("*.pdf"))
    for i, name in enumerate(NAMES):
        shutil.copy(sources[i % len(sources)], os.path.join(os.fsencode(folder), name))
    return folder


def test_a_folder_of_hostile_names_is_read_whole(hostile_folder, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "names.db"
    res = CliRunner().invoke(main, ["run", str(hostile_folder), "--db", str(db), "--workers", "1"])
    assert res.exit_code == 0, res.output
    assert "\x1b" not in res.output  # an escape in a name never reaches the terminal
    exported = CliRunner().invoke(main, ["export", "--db", str(db), "--format", "json"])
    assert exported.exit_code == 0
    docs = json.loads(exported.output)["documents"]
    assert sorted(d["path"] for d in docs) == sorted(path_text(os.fsdecode(n)) for n in NAMES)
    assert all(d["error"] is None and d["doc_type"] != "other" for d in docs), [(d["path"], d["error"]) for d in docs]
    assert not (tmp_path / "pwned").exists() and not (hostile_folder / "pwned").exists()  # nothing reaches a shell
    # the report reopens each file from its stored name to crop its evidence
    report = CliRunner().invoke(main, ["report", "--db", str(db), "--out", str(tmp_path / "report")])
    assert report.exit_code == 0, report.output
    html = (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    assert "no longer in" not in html and "cannot be rendered" not in html
