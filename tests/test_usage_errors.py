"""A file the user gives that cannot be read is a usage error (exit 2, one line, no traceback, nothing scanned);
a reader that closes the pipe early is not an error."""
import subprocess
import sys
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
