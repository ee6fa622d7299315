"""A real SolrCloud cluster for the tests: `scripts/solrcloud start` (ZooKeeper and Solr nodes,
each its own JVM on 127.0.0.1), stopped by PID at the end, also when a test fails.

Without java or mvn the Solr tests are skipped, saying why; under CI=true they fail instead.
Maven's downloads stay in ~/.m2 and the launcher's build under scripts/solrcloud-launcher/target,
so only the first run on a machine builds (about 11 s) and a cluster is up in about 10 s.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "solrcloud"
SHARDS, REPLICAS = 2, 2


@dataclass
class SolrCluster:
    """A running cluster: `url` is one node's base URL, `directory` holds its PID files."""

    directory: Path
    url: str

    def node_pid(self, n: int) -> int:
        return int((self.directory / f"node-{n}.pid").read_text().strip())

    def node_port(self, n: int) -> int:
        """Node n's port, from the command line the launcher was started with."""
        argv = Path(f"/proc/{self.node_pid(n)}/cmdline").read_bytes().split(b"\0")
        return int(argv[argv.index(b"baoku.SolrNode") + 2])

    def kill_node(self, n: int) -> None:
        """SIGKILL: no shutdown hook runs, the node just vanishes (as a crashed server)."""
        pid = self.node_pid(n)
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)

    def stop(self) -> None:
        subprocess.run(
            [sys.executable, str(SCRIPT), "stop", "--dir", str(self.directory)],
            capture_output=True,
            timeout=120,
        )


def missing_tools() -> str | None:
    absent = [tool for tool in ("java", "mvn") if shutil.which(tool) is None]
    return (
        f"{' and '.join(absent)} not installed: the SolrCloud tests need them" if absent else None
    )


def skip_or_fail(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def start_cluster(directory: Path, nodes: int = 2) -> SolrCluster:
    """Start a cluster from `directory`; skips (fails under CI=true) without java/mvn."""
    reason = missing_tools()
    if reason:
        skip_or_fail(reason)
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "start", "--dir", str(directory), "--nodes", str(nodes)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    cluster = SolrCluster(directory, done.stdout.strip().splitlines()[-1] if done.stdout else "")
    if done.returncode != 0:
        cluster.stop()  # whatever part of it came up
        pytest.fail(f"scripts/solrcloud start failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    return cluster


_COUNTER = iter(range(1, 1_000_000))


def solr_archive(cluster: SolrCluster, data_dir: Path, name: str | None = None):
    """A SolrArchive over `data_dir`'s store, on its own alias of the cluster, built with
    SHARDS × REPLICAS (its report is on `.built`)."""
    from indexer import Archive

    alias = name or f"t{os.getpid()}_{next(_COUNTER)}"
    archive = Archive(data_dir, solr_url=f"{cluster.url}/{alias}")
    archive.built = archive.reindex(rebuild=True, shards=SHARDS, replicas=REPLICAS)
    return archive
