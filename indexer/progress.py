"""The one progress protocol of long jobs (cleaning, importing, indexing): a callable
`progress(done, total)`, `done` the units finished so far and `total` the units in all, or 0
while it is not known. The CLI draws it as a bar; library callers may pass None."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, int], None]
