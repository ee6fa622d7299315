"""gunicorn settings that warm every worker as it starts (webui/warm.py):

    gunicorn -c python:webui.gunicorn_conf 'webui:create_app()'

Without this file the app factory warms the worker itself; with it, the warm-up starts in
`post_worker_init`, after the fork, also under --preload (a thread started in the master
would not survive the fork, and the index it opened would be shared by every worker).
"""

from __future__ import annotations

import os
from typing import Any

# The factory must not warm: under --preload it runs in the master, before the fork.
os.environ["BAOKU_WARM"] = "0"


def post_worker_init(worker: Any) -> None:
    from flask import Flask

    from webui.warm import start_warming

    app = worker.wsgi
    if isinstance(app, Flask):
        start_warming(app)
