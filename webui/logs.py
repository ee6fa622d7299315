"""Log lines for journald when the site runs as a systemd service, plain lines otherwise.

Under systemd (JOURNAL_STREAM is set when stderr goes to the journal) each line starts with
the syslog priority in angle brackets, "<4>webui.errors: index unavailable: …", which journald
strips and stores as the entry's PRIORITY, so `journalctl -p warning -u baoku-web` works (every
line of a traceback carries its record's priority); the journal adds the time and the pid.
Outside systemd a line carries its own time.
gunicorn's access and error logs go to stderr with `--access-logfile - --error-logfile -`.
"""

from __future__ import annotations

import logging
import os
import sys

from flask import Flask

# syslog priorities (RFC 5424) for Python's levels
PRIORITIES = {
    logging.CRITICAL: 2,
    logging.ERROR: 3,
    logging.WARNING: 4,
    logging.INFO: 6,
    logging.DEBUG: 7,
}
HANDLER_NAME = "baoku-stderr"


class JournalFormatter(logging.Formatter):
    """The record with "<priority>" before every line of it."""

    def format(self, record: logging.LogRecord) -> str:
        prefix = f"<{PRIORITIES.get(record.levelno, 6)}>"
        # journald makes each line of the stream an entry: without the prefix a traceback's
        # lines would be stored as info and vanish from `journalctl -p err`.
        return "\n".join(prefix + line for line in super().format(record).split("\n"))


def handler(journal: bool | None = None) -> logging.Handler:
    """A stderr handler in the journal's format under systemd, else with a timestamp."""
    journal = bool(os.environ.get("JOURNAL_STREAM")) if journal is None else journal
    out = logging.StreamHandler(sys.stderr)
    out.name = HANDLER_NAME
    if journal:
        out.setFormatter(JournalFormatter("%(name)s: %(message)s"))
    else:
        out.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    return out


def init_app(app: Flask) -> None:
    """Send the webui and indexer loggers to stderr once (BAOKU_LOG_LEVEL, default INFO), unless
    the host program (a test, a gunicorn logconfig) configured logging itself."""
    if app.testing or logging.getLogger().handlers:
        return
    level = os.environ.get("BAOKU_LOG_LEVEL", "INFO").upper()
    for name in ("webui", "indexer"):
        logger = logging.getLogger(name)
        if not any(h.name == HANDLER_NAME for h in logger.handlers):
            logger.addHandler(handler())
        logger.setLevel(level)
