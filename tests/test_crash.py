"""A run killed (SIGKILL) at any moment, then run again: no document lost or duplicated, the same findings and
decisions as a run that was never interrupted, and the killed run reported as interrupted."""
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[1] / "fixtures" / "demo"
SHIPMENTS = {"A": "2025-03 Dongguan", "B": "2025-05 Rheinhydraulik"}  # born-digital: no OCR, a few seconds
N_FILES = 7
DEADLINE = 180  # seconds: a generous "did not hang" bound, never a timing assertion


def _cli(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "appraiser.cli", *args], capture_output=True, text=True,
                          timeout=DEADLINE, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    if check:
        assert done.returncode == 0, done.stderr
    return done


def _start(folder: Path, db: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "appraiser.cli", "run", str(folder), "--db", str(db),
                             "--workers", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "OMP_THREAD_LIMIT": "1"})


def _count(db: Path, sql: str) -> int:
    """A figure read from the database read-only while the run writes it (0 while it is not there yet)."""
    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return con.execute(sql).fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:  # the tables are not created yet
        return 0


STORED = ("select count(*) from documents d join extractions e on e.sha256 = d.sha256 "
          "and e.extractor = d.extractor")


def _kill_when(proc: subprocess.Popen, ready) -> bool:
    """SIGKILL the run as soon as ``ready()`` holds; False when the run ended first."""
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        if ready():
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=DEADLINE)
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.01)
    proc.kill()
    raise AssertionError("the run neither reached the moment nor ended")


def _export(db: Path) -> dict:
    """The export without the moment a decision was taken (decisions here are taken at different times)."""
    data = json.loads(_cli("export", "--db", str(db)).stdout)
    for f in data["findings"]:
        f.pop("reviewed_at", None)
        for h in f.get("history", []):
            h.pop("reviewed_at", None)
    return data


def _accept(db: Path, finding_id: str) -> None:
    _cli("accept", finding_id, "--db", str(db), "--reviewer", "reviewer-1")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("crash") / "dev"
    for name, src in SHIPMENTS.items():
        shutil.copytree(DEMO / src, root / name)
    return root


@pytest.fixture(scope="module")
def reference(folder, tmp_path_factory):
    """An uninterrupted run, with one finding accepted."""
    db = tmp_path_factory.mktemp("reference") / "reference.db"
    _cli("run", str(folder), "--db", str(db), "--workers", "1")
    data = json.loads(_cli("export", "--db", str(db)).stdout)
    assert len(data["documents"]) == N_FILES and data["findings"]
    chosen = data["findings"][0]["id"]
    _accept(db, chosen)
    return db, chosen


MOMENTS = {
    "database created": lambda db: db.exists(),
    "some documents stored": lambda db: _count(db, STORED) >= 3,
    "all documents stored": lambda db: _count(db, STORED) >= N_FILES,
}


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_killed_run_completed_by_the_next(folder, reference, tmp_path, moment):
    ref_db, chosen = reference
    db = tmp_path / "engagement.db"
    proc = _start(folder, db)
    killed = _kill_when(proc, lambda: MOMENTS[moment](db))
    assert killed, "the run ended before the moment to kill it"
    again = _cli("run", str(folder), "--db", str(db), "--workers", "1")
    statuses = [r[0] for r in sqlite3.connect(db).execute("select status from runs order by id")]
    if moment == "database created" and statuses == ["finished"]:
        pass  # killed before it recorded itself: nothing to report
    else:
        assert statuses == ["interrupted", "finished"]
        assert "was interrupted; this run has done its work" in again.stdout
    _accept(db, chosen)
    got, want = _export(db), _export(ref_db)
    assert [d["path"] for d in got["documents"]] == [d["path"] for d in want["documents"]]
    assert got == want
    assert sqlite3.connect(db).execute("pragma integrity_check").fetchone()[0] == "ok"


def test_decision_survives_a_killed_run(folder, reference, tmp_path):
    """A database with a decision, whose run has to extract every file again, killed half way: the decision is
    still there after the next run."""
    ref_db, chosen = reference
    db = tmp_path / "engagement.db"
    shutil.copy(ref_db, db)
    con = sqlite3.connect(db)
    con.execute("delete from extractions")  # every file read again: the run takes long enough to be killed
    con.commit()
    con.close()
    proc = _start(folder, db)
    assert _kill_when(proc, lambda: _count(db, STORED) >= 3)
    assert _count(db, "select count(*) from decisions") == 1
    _cli("run", str(folder), "--db", str(db), "--workers", "1")
    got, want = _export(db), _export(ref_db)
    assert [(f["id"], f["status"], f["reviewer"]) for f in got["findings"]] == \
        [(f["id"], f["status"], f["reviewer"]) for f in want["findings"]]
    assert any(f["id"] == chosen and f["status"] == "accepted" for f in got["findings"])
    assert got == want
