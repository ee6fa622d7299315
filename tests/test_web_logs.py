"""Log lines for journald (webui/logs.py): the syslog priority prefix, one entry per record."""

from __future__ import annotations

import logging

from webui.logs import handler


def record(level: int, message: str, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("webui.errors", level, __file__, 1, message, (), exc_info)


def test_journal_lines_carry_the_priority():
    out = handler(journal=True)
    assert out.format(record(logging.WARNING, "index unavailable")) == (
        "<4>webui.errors: index unavailable"
    )
    assert out.format(record(logging.ERROR, "x")).startswith("<3>")
    assert out.format(record(logging.INFO, "x")).startswith("<6>")


def test_every_line_of_a_traceback_keeps_the_priority():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        line = handler(journal=True).format(record(logging.ERROR, "failed", sys.exc_info()))
    lines = line.split("\n")
    assert lines[0] == "<3>webui.errors: failed" and len(lines) > 2
    # journald stores each line as an entry: all of them at the record's priority
    assert all(part.startswith("<3>") for part in lines) and "<3>RuntimeError: boom" in line


def test_outside_systemd_lines_carry_their_time():
    text = handler(journal=False).format(record(logging.WARNING, "index unavailable"))
    assert text.endswith("WARNING webui.errors: index unavailable") and text[:4].isdigit()
