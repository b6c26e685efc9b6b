"""The scan's progress on standard error: plain lines every few seconds when it is not a terminal (done/total,
rate, time left), nothing for a short scan or with ``--quiet``, a bar on a terminal."""
import io

from click.testing import CliRunner

from appraiser import progress
from appraiser.cli import main


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _one_a_second(total: int, done: int):
    """A display of ``total`` entries after ``done`` of them, one a second, on a fake clock."""
    clock, out = Clock(), io.StringIO()
    lines = progress.Lines(total, out, clock=clock)
    for _ in range(done):
        clock.now += 1.0
        lines(1)
    return lines, clock, out


def test_a_line_every_interval_with_done_total_rate_and_time_left():
    lines, clock, out = _one_a_second(20, 4)
    assert out.getvalue() == ""  # 4 s: nothing yet
    clock.now += 1.0
    lines(1)  # 5 documents in 5 s
    assert out.getvalue() == "Extracting: 5/20 documents, 1.0 per second, about 0:15 left\n"
    clock.now += 3.0
    lines(3)
    assert out.getvalue().count("\n") == 1  # 3 s since the last line
    clock.now += 7.0
    lines(12)
    lines.finish()
    written = out.getvalue().splitlines()
    assert written[1:] == ["Extracting: 20/20 documents, 1.3 per second, done in 0:15"]  # said once
    assert all(progress.LINE.fullmatch(w) for w in written)


def test_a_short_scan_writes_nothing_not_even_its_last_line():
    lines, _, out = _one_a_second(3, 3)
    lines.finish()
    assert out.getvalue() == ""


def test_a_line_is_due_while_one_long_document_is_read():
    clock, out = Clock(), io.StringIO()
    lines = progress.Lines(2, out, clock=clock)
    clock.now += 6.0
    lines.poll()
    assert out.getvalue() == "Extracting: 0/2 documents, 0.0 per second, time left unknown\n"
    clock.now += 3_600.0
    lines(1)
    assert out.getvalue().splitlines()[-1] == "Extracting: 1/2 documents, 0.0 per second, about 1:00:06 left"


def test_reporter_chooses_the_display():
    out = io.StringIO()
    with progress.reporter(5, quiet=True, terminal=False, stream=out) as tick:
        assert tick is None
    with progress.reporter(1, terminal=True, stream=out) as tick:
        assert tick is None  # no bar for one document
    with progress.reporter(5, terminal=False, stream=out) as tick:
        assert isinstance(tick, progress.Lines)
        tick(5)
    assert out.getvalue() == ""  # done at once: no line
    with progress.reporter(4, terminal=True, stream=out) as tick:
        for _ in range(4):
            tick(1)
    bar = out.getvalue()
    assert "Extracting" in bar and "4/4" in bar and "doc/s" in bar


def _folder(tmp_path):
    root = tmp_path / "shipment"
    root.mkdir()
    for i in range(3):
        (root / f"note{i}.txt").write_text(f"Shipment note {i}: goods loaded at Ningbo.\n", encoding="utf-8")
    return root


def test_redirected_run_writes_the_periodic_line_and_quiet_writes_none(tmp_path, monkeypatch):
    monkeypatch.setattr(progress, "INTERVAL", 0.0)  # every document is past the interval
    root = _folder(tmp_path)
    runner = CliRunner()
    result = runner.invoke(main, ["scan", str(root), "--db", str(tmp_path / "a.db"), "--workers", "1"])
    assert result.exit_code == 0, result.output
    written = result.stderr.splitlines()
    assert written and all(progress.LINE.fullmatch(w) for w in written), written
    assert written[-1].startswith("Extracting: 3/3 documents, ") and "done in" in written[-1]
    for args in (["scan", "--quiet", "--rehash"], ["run", "-q"]):
        result = runner.invoke(main, [*args, str(root), "--db", str(tmp_path / "a.db"), "--workers", "1"])
        assert result.exit_code == 0, result.output
        assert result.stderr == ""


def test_durations():
    assert [progress.duration(s) for s in (0, 59.6, 61, 3_599, 3_600, 86_399)] == \
        ["0:00", "1:00", "1:01", "59:59", "1:00:00", "23:59:59"]
