"""A worker warms as it starts (webui/warm.py): /healthz says 503 until the warm-up is done,
then 200; with no index the warm-up ends at once and /healthz says what to run."""

from __future__ import annotations

from indexer import Archive
from webui import create_app
from webui.warm import WARM_KEY, WarmState


def test_healthz_is_503_until_the_worker_is_warm(web_data_dir):
    archive = Archive(web_data_dir)
    # Holding the archive's lock stops the warm-up at its first call into the index.
    with archive._lock:
        app = create_app({"DATA_DIR": web_data_dir, "ARCHIVE": archive})
        state = app.extensions[WARM_KEY]
        assert isinstance(state, WarmState) and not state.done.is_set()
        client = app.test_client()
        cold = client.get("/healthz")
        assert cold.status_code == 503 and cold.get_json()["warming"] is True
    assert state.done.wait(120) and state.error is None, state.error
    warm = client.get("/healthz")
    assert warm.status_code == 200 and warm.get_json()["status"] == "ok"
    assert state.seconds is not None and state.seconds > 0
    archive.close()


def test_warming_can_be_turned_off_and_never_runs_under_testing(web_data_dir, monkeypatch):
    monkeypatch.setenv("BAOKU_WARM", "0")
    assert WARM_KEY not in create_app({"DATA_DIR": web_data_dir}).extensions
    monkeypatch.delenv("BAOKU_WARM")
    assert WARM_KEY not in create_app({"DATA_DIR": web_data_dir, "TESTING": True}).extensions


def test_without_an_index_the_warm_up_ends_and_healthz_says_what_to_run(tmp_path):
    app = create_app({"DATA_DIR": tmp_path})
    state = app.extensions[WARM_KEY]
    assert state.done.wait(60) and state.error is None
    health = app.test_client().get("/healthz")
    assert health.status_code == 503 and "baoku index" in health.get_json()["reason"]
