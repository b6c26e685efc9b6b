"""Every usage or input error is one line saying what is wrong and where, exit 2, before any work; the tool's own
failure is one line and exit 3 with its traceback in a log file, Ctrl-C exit 130; no traceback ever reaches the
user; a reader that closes the pipe early is not an error."""
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from appraiser.cli import main

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "fixtures" / "demo"


@pytest.fixture
def bad_files(tmp_path):
    files = {
        "columns": "a,b\n1,2\n",
        "bytes": b"\xff\xfe\x00\x01 not a csv",
        "empty": "",
    }
    out = {}
    for name, content in files.items():
        p = tmp_path / f"{name}.csv"
        p.write_bytes(content if isinstance(content, bytes) else content.encode())
        out[name] = p
    return out


@pytest.mark.parametrize("option", ["--declared", "--tariff"])
@pytest.mark.parametrize("kind", ["columns", "bytes", "empty"])
@pytest.mark.parametrize("command", ["run", "review"])
def test_an_unreadable_input_file_is_a_usage_error_before_any_work(tmp_path, bad_files, option, kind, command):
    db = tmp_path / "x.db"
    res = CliRunner().invoke(main, [command, str(DEMO), "--db", str(db), option, str(bad_files[kind])])
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"Error: {option} ") and str(bad_files[kind]) in lines[0]
    assert "Traceback" not in res.output
    assert not db.exists()  # nothing was scanned into a database


def test_audit_on_a_database_says_the_same(tmp_path, bad_files):
    db = tmp_path / "x.db"
    assert CliRunner().invoke(main, ["run", str(DEMO), "--db", str(db), "--workers", "1"]).exit_code == 0
    res = CliRunner().invoke(main, ["audit", "--db", str(db), "--tariff", str(bad_files["bytes"])])
    assert res.exit_code == 2 and res.output.startswith("Error: --tariff ") and "Traceback" not in res.output


def test_a_closed_pipe_is_not_an_error():
    # the reader has gone (`appraiser rules | head -1`): the next write meets a closed pipe, whatever the buffer
    script = (
        "import sys, click\n"
        "def closed(*a, **k):\n"
        "    raise BrokenPipeError(32, 'Broken pipe')\n"
        "click.echo = closed\n"
        "from appraiser.cli import main\n"
        "main(['rules'])\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert b"Traceback" not in proc.stderr and b"BrokenPipe" not in proc.stderr


# --- every malformed CSV: one line naming the file, the line and what is wrong; exit 2 before any work -------

HEAD = "entry_number,line_no,hts,entered_value"
ROW = "D4K-0104547-1,1,3926.90.9985,48000"

BAD_DECLARED = {
    "quote": (f'{HEAD}\nD4K-0104547-1,1,3926.90.9985,"48000\n', "line 2: unexpected end of data"),
    "semicolons": (f"{HEAD.replace(',', ';')}\n{ROW.replace(',', ';')}\n", "separated by semicolons"),
    "bytes": (f"{HEAD}\n{ROW}\n".encode() + b"D4K-0104547-1,2,3926.90.9985,1\xff0\n", "line 3: not UTF-8"),
    "wide": (f"{HEAD}\n{ROW},9,9\n", "line 2: 6 fields where the header has 4"),
    "narrow": (f"{HEAD}\n{ROW}\nD4K-0104547-1,2,3926.90.9985\n", "line 3: 3 fields where the header has 4"),
    "comma decimal": (f"{HEAD}\nD4K-0104547-1,1,3926.90.9985,\"48,5\"\n", "line 2, column entered_value: not a number"),
    "nan": (f"{HEAD}\nD4K-0104547-1,1,3926.90.9985,NaN\n", "line 2, column entered_value: not a number"),
    "exponent": (f"{HEAD}\nD4K-0104547-1,1,3926.90.9985,1e999999999\n", "column entered_value: not a number"),
    "negative": (f"{HEAD}\nD4K-0104547-1,1,3926.90.9985,-5\n", "column entered_value: not a number"),
    "huge": (f"{HEAD}\nD4K-0104547-1,1,3926.90.9985,{'9' * 40}\n", "column entered_value: not a plausible number"),
    "date": (f"{HEAD},entry_date\n{ROW},2025-13-01\n", "line 2, column entry_date: not a date"),
    "us date": (f"{HEAD},entry_date\n{ROW},3/20/2025\n", "column entry_date: not a date: '3/20/2025' (write YYYY-MM-DD)"),
    "hts": (f"{HEAD}\nD4K-0104547-1,1,plastic,48000\n", "line 2, column hts: not an HTS number"),
    "chapter 99": (f"{HEAD},additional_hts\n{ROW},99x\n", "column additional_hts: not an HTS number"),
    "check digit": (f"{HEAD}\nD4K-0104547-2,1,3926.90.9985,48000\n", "line 2, column entry_number: not an entry number"),
    "line number": (f"{HEAD}\nD4K-0104547-1,one,3926.90.9985,48000\n", "line 2, column line_no: not a line number"),
    "empty value": (f"{HEAD}\nD4K-0104547-1,1,,48000\n", "line 2, column hts: empty"),
    "related": (f"{HEAD},related_party\n{ROW},maybe\n", "column related_party: not Y or N"),
    "currency": (f"{HEAD},currency\n{ROW},euros\n", "column currency: not a currency code"),
    "port": (f"{HEAD},port_code\n{ROW},=HYPERLINK(\"x\")\n", "column port_code: not a 4-digit code"),
    "twice": (f"{HEAD}\n{ROW}\n\n{ROW}\n", "line 4: entry D4K-0104547-1 line 1 is on line 2 already"),
    "unknown column": (f"{HEAD},dutyrate\n{ROW},5.3\n", "unknown column dutyrate (the columns are entry_number,"),
    "missing column": ("entry_number,line_no,hts,value\nD4K-0104547-1,1,3926.90.9985,1\n",
                       "missing columns entered_value (found: entry_number, line_no, hts, value; needs entry_number"),
    "header twice": (f"{HEAD},hts\n{ROW},1\n", "line 1: column hts named twice"),
    "no rows": (f"{HEAD}\n", "no entry line"),
    "nul": (f"{HEAD}\n{ROW}\0\n", "line 2: a NUL character"),
}

TARIFF_HEAD = '"HTS Number","Indent","Description","General Rate of Duty","Special Rate of Duty"'
BAD_TARIFF = {
    "columns": ("HTS,Rate\n8481.20.00,2%\n", "not a USITC HTS export (needs 'HTS Number' and 'General Rate of Duty'; "
                                             "found: HTS, Rate)"),
    "hts": (f'{TARIFF_HEAD}\n"8481.20.00",1,"Valves","2%",""\n"valves",1,"x","2%",""\n',
            "line 3, column HTS Number: not an HTS number: 'valves'"),
    "no rates": (f'{TARIFF_HEAD}\n"",0,"Section XVI","",""\n', "no rate of duty"),
    "quote": (f'{TARIFF_HEAD}\n"8481.20.00",1,"Valves,"2%",""\n', "line 2: ',' expected after '\"' (a quote out of place?)"),
    "tabs": (TARIFF_HEAD.replace(",", "\t") + "\n", "separated by tabs"),
    "latin-1": (f'{TARIFF_HEAD}\n"8481.20.00",1,"V\xe1lvulas","2%",""\n'.encode("latin-1"), "line 2: not UTF-8"),
}


def _write(tmp_path, name, content):
    p = tmp_path / name
    p.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return p


def _one_error_line(res) -> str:
    assert "Traceback" not in res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1, res.output
    return lines[0]


@pytest.mark.parametrize("case", sorted(BAD_DECLARED))
def test_a_malformed_declared_csv_is_one_line_naming_where(tmp_path, case):
    content, expected = BAD_DECLARED[case]
    bad = _write(tmp_path, "declared.csv", content)
    db = tmp_path / "x.db"
    res = CliRunner().invoke(main, ["run", str(DEMO), "--db", str(db), "--declared", str(bad)])
    assert res.exit_code == 2, res.output
    line = _one_error_line(res)
    assert line.startswith(f"Error: --declared {bad}: ") and expected in line, line
    assert not db.exists()


@pytest.mark.parametrize("case", sorted(BAD_TARIFF))
def test_a_malformed_tariff_is_one_line_naming_where(tmp_path, case):
    content, expected = BAD_TARIFF[case]
    bad = _write(tmp_path, "tariff.csv", content)
    res = CliRunner().invoke(main, ["review", str(DEMO), "--tariff", str(bad)])
    assert res.exit_code == 2, res.output
    line = _one_error_line(res)
    assert line.startswith(f"Error: --tariff {bad}: ") and expected in line, line


def test_a_well_formed_declared_csv_is_read_with_its_types(tmp_path):
    from decimal import Decimal

    from appraiser.audit.link import load_declared_csv

    p = _write(tmp_path, "ok.csv",
               "\ufeffentry_number,entry_date,port_code,entry_type,currency,line_no,hts,entered_value,duty_rate,related_party,"
               "additional_hts,additional_rate,,\n"
               'D4K 0104547 1,2025-03-20,401,1,usd,1,3926909985,"$48,000.50",5.3%,y,9903.88.15,Free,,\n'
               "\n"
               "D4K-0104547-1,2025-03-20,0401,01,USD,2,3926.90.9985,.5,Free,N,,,,\n")
    [e] = load_declared_csv(p)
    assert e.entry_number == "D4K-0104547-1" and e.header.get("currency") == "USD"
    assert (e.header.get("port_code"), e.header.get("entry_type")) == ("0401", "01")  # zeros a spreadsheet dropped
    assert e.header.get("entry_date") == "2025-03-20"
    assert [ln.get("entered_value") for ln in e.lines] == [Decimal("48000.50"), Decimal("0.5")]
    assert [ln.get("duty_rate") for ln in e.lines] == [Decimal("5.3"), Decimal(0)]
    assert [ln.get("related_party") for ln in e.lines] == [True, False]
    assert e.lines[0].get("additional") == [{"hts": "9903.88.15", "rate": Decimal(0), "value": None}]
    assert e.header.get("total_entered_value") == Decimal("48001.00")


# --- every command's own checks --------------------------------------------------------------------------

@pytest.fixture
def small_db(tmp_path):
    """A database with one entry (from a declared CSV, no document) and its finding, built in a second."""
    from appraiser import pipeline
    from appraiser.models.store import Store

    csv = _write(tmp_path, "declared.csv",
                 "entry_number,entry_date,importer_name,mode_of_transport,line_no,hts,entered_value,duty_rate\n"
                 "D4K-0104547-1,2025-03-20,Lakeshore Industrial Supply,11,1,3926.90.9985,48000,5.3\n")
    db = tmp_path / "small.db"
    store = Store(db)
    try:
        summary = pipeline.audit_store(store, declared=csv)
        assert summary.findings and not summary.errors
    finally:
        store.close()
    return db


def _usage_line(args, expected: str) -> str:
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2, res.output
    line = _one_error_line(res)
    assert line.startswith("Error: ") and expected in line, line
    return line


def test_output_names_that_cannot_be_right(tmp_path, small_db):
    db = str(small_db)
    _usage_line(["report", "--db", db, "--out", str(tmp_path / "report.html")],
                "the folder to write report.html, schedule.xlsx and schedule.csv into, not a file")
    _usage_line(["disclose", "--db", db, "--out", str(tmp_path / "draft.md")],
                "a Word draft is written to a .docx file (its Markdown twin beside it as .md), e.g. draft.docx")
    _usage_line(["disclose", "--db", db, "--out", str(tmp_path / "a.docx"), "--form28", str(tmp_path / "f28.pdf")],
                "--form28 ")
    _usage_line(["disclose", "--db", db, "--out", str(tmp_path / "a.docx"), "--form28", str(tmp_path / "a.docx")],
                "the same file as --out")
    assert not list(tmp_path.glob("*.docx")) and not list(tmp_path.glob("*.md"))
    afile = _write(tmp_path, "afile", "x")
    _usage_line(["report", "--db", db, "--out", str(afile / "sub")], f"cannot write {afile / 'sub'}")


def test_disclose_names_what_the_database_holds(tmp_path, small_db):
    db = str(small_db)
    out = str(tmp_path / "pd.docx")
    _usage_line(["disclose", "--db", db, "--out", out, "--importer", "Nobody"],
                "no importer matches 'Nobody' (the database's importers: Lakeshore Industrial Supply)")
    _usage_line(["disclose", "--db", db, "--out", out, "--entries", "ABC-1234567-6"],
                "no entry ABC-1234567-6 in the database (its entries: D4K-0104547-1)")
    _usage_line(["disclose", "--db", db, "--out", out, "--entries", " , "], "--entries names no entry")
    _usage_line(["disclose", "--db", db, "--out", out, "--importer", " "], "--importer is empty")
    _usage_line(["disclose", "--db", db, "--out", out], "accept findings first")
    assert not (tmp_path / "pd.docx").exists()


def test_findings_databases_and_paths(tmp_path, small_db):
    db = str(small_db)
    for command in ("accept", "reopen"):
        _usage_line([command, "nope-123", "--db", db], "no such finding: nope-123")
    _usage_line(["dismiss", "nope-123", "--db", db, "--reason", "wrong"], "no such finding: nope-123")
    _usage_line(["dismiss", "nope-123", "--db", db, "--reason", " "], "--reason must say why")
    _usage_line(["findings", "--db", db, "--code", "ASSIST_UNDECLARD"], "--code ASSIST_UNDECLARD: no such finding code")
    _usage_line(["findings", "--db", db, "--entry", "ABC-1234567-6"], "--entry ABC-1234567-6: no such entry")
    res = CliRunner().invoke(main, ["findings", "--db", db, "--code", "DOCUMENT_MISSING", "--entry", "D4K0104547-1"])
    assert res.exit_code == 0 and "DOCUMENT_MISSING" in res.output
    text = _write(tmp_path, "notes.db", "not a database\n")
    noise = _write(tmp_path, "noise.db", bytes(range(256)) * 20)
    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as conn:  # another program's SQLite database: never written into
        conn.execute("create table invoices (id integer primary key, total text)")
    conn.close()
    for bad in (text, noise, foreign):
        for args in (["findings"], ["export"], ["audit"], ["report", "--out", str(tmp_path / "r")], ["run", str(DEMO)],
                     ["scan", str(DEMO)], ["review", str(DEMO)]):
            _usage_line([*args, "--db", str(bad)], "not an appraiser database")
    with sqlite3.connect(foreign) as conn:
        assert [r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")] == ["invoices"]
    conn.close()
    _usage_line(["findings", "--db", str(tmp_path / "none.db")], "no database at")
    for command in ("run", "scan", "review"):
        _usage_line([command, str(DEMO), "--db", str(tmp_path / "no" / "such" / "x.db")],
                    f"no folder {tmp_path / 'no' / 'such'} to create the database in")
    # click's own usage errors keep exit 2
    assert CliRunner().invoke(main, ["findings", "--db", db, "--severity", "bogus"]).exit_code == 2
    assert CliRunner().invoke(main, ["run", str(tmp_path / "nowhere")]).exit_code == 2
    assert CliRunner().invoke(main, ["nosuchcommand"]).exit_code == 2


def test_a_truth_file_that_is_not_one(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "truth.json").write_text("[1, 2]")
    _usage_line(["eval", str(corpus), "--audit-only"], "not a truth file: a JSON object with 'documents' is expected")
    _usage_line(["noise", str(corpus)], "not a truth file")
    (corpus / "truth.json").write_text('{"documents": [')
    _usage_line(["eval", str(corpus)], "not a truth file: Expecting value")
    (corpus / "truth.json").write_text('{"documents": ["a"]}')
    _usage_line(["eval", str(corpus), "--audit-only"], "'documents' must be a list of objects")


# --- no traceback ever: the tool's own failure is exit 3, Ctrl-C exit 130, a finding exit 1 ----------------

def test_an_unexpected_exception_is_one_line_exit_3_and_a_log(tmp_path, small_db, monkeypatch):
    import tempfile

    from appraiser import pipeline

    def broken(*args, **kwargs):
        raise ZeroDivisionError("decimal division\nby zero \x1b[31m")

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(pipeline, "filter_findings", broken)
    res = CliRunner().invoke(main, ["findings", "--db", str(small_db)])
    assert res.exit_code == pipeline.TOOL_FAILURE == 3
    line = _one_error_line(res)
    assert line.startswith("appraiser: internal error: ZeroDivisionError: decimal division by zero \\x1b[31m; "
                           "details written to ")
    [log] = tmp_path.glob("appraiser-error-*.log")
    assert line.endswith(str(log))
    text = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text and "in broken" in text and "'findings'" not in line


def test_a_failure_that_cannot_be_logged_is_still_one_line(tmp_path, small_db, monkeypatch):
    import tempfile

    from appraiser import pipeline

    def broken(*args, **kwargs):
        raise OSError("x" * 5000)

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no such folder"))
    monkeypatch.setattr(pipeline, "filter_findings", broken)
    res = CliRunner().invoke(main, ["findings", "--db", str(small_db)])
    assert res.exit_code == 3
    line = _one_error_line(res)
    assert line.startswith("appraiser: internal error: OSError: " + "x" * 300 + "…; no details written (")
    assert len(line) < 600


def test_review_keeps_1_for_findings_and_3_for_its_own_failure(tmp_path, monkeypatch):
    import tempfile

    from appraiser import pipeline

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def broken(*args, **kwargs):
        raise RuntimeError("the review broke")

    monkeypatch.setattr(pipeline, "review", broken)
    res = CliRunner().invoke(main, ["review", str(DEMO)])
    assert res.exit_code == 3 and "internal error: RuntimeError: the review broke" in _one_error_line(res)


def test_ctrl_c_is_one_line_and_exit_130(small_db, monkeypatch):
    from appraiser import pipeline

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "filter_findings", interrupted)
    res = CliRunner().invoke(main, ["findings", "--db", str(small_db)])
    assert res.exit_code == 130 and _one_error_line(res) == "appraiser: interrupted"


def test_no_traceback_reaches_a_real_terminal(tmp_path, small_db):
    # a real process: nothing but the one line on standard error, the traceback in the log
    script = (
        "import sys, tempfile\n"
        f"tempfile.tempdir = {str(tmp_path)!r}\n"
        "from appraiser import pipeline\n"
        "def broken(*a, **k):\n"
        "    return {}['missing']\n"
        "pipeline.filter_findings = broken\n"
        "from appraiser.cli import main\n"
        f"main(['findings', '--db', {str(small_db)!r}])\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert proc.returncode == 3 and proc.stdout == b""
    err = proc.stderr.decode()
    assert err.startswith("appraiser: internal error: KeyError: 'missing'; details written to ")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "Traceback" in Path(err.split("details written to ")[1].strip()).read_text()


def test_ctrl_c_stops_a_run_with_workers_at_once(tmp_path):
    """SIGINT to the whole process group (a terminal's Ctrl-C) while workers extract: exit 130 with one line,
    promptly, no worker left behind, no traceback (each extraction here waits until it is interrupted)."""
    import os
    import signal

    started = tmp_path / "started"
    script = (
        "import os, sys, time\n"
        "from appraiser import pipeline\n"
        "def stuck(*job):\n"
        f"    open({str(started)!r}, 'a').write(str(os.getpid()) + '\\n')\n"
        "    time.sleep(600)\n"
        "pipeline._extract_job = stuck\n"
        "from appraiser.cli import main\n"
        f"main(['run', {str(DEMO)!r}, '--db', {str(tmp_path / 'x.db')!r}, '--workers', '2'])\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        for _ in range(1200):  # the workers have started (a generous bound: 2 minutes)
            if started.exists() and len(started.read_text().split()) == 2:
                break
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.1)
        workers = [int(p) for p in started.read_text().split()]
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=60)  # did not hang
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    assert err.decode().strip() == "appraiser: interrupted"
    for pid in workers:
        try:
            os.kill(pid, 0)
            alive = not Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")
        except ProcessLookupError:
            alive = False
        assert not alive, f"worker {pid} left running"
