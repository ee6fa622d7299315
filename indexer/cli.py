"""The `baoku` command: a thin layer over the library, one command per pipeline stage."""

from __future__ import annotations

import os
from pathlib import Path

import click

DEFAULT_DATA = "corpus"


def resolve_data_dir(data: str | None) -> Path:
    """--data wins, then $BAOKU_DATA, then ./corpus."""
    return Path(data or os.environ.get("BAOKU_DATA") or DEFAULT_DATA)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--data",
    "data",
    metavar="DIR",
    default=None,
    help="The archive's home (default: $BAOKU_DATA, else ./corpus).",
)
@click.pass_context
def main(ctx: click.Context, data: str | None) -> None:
    """报库 Baoku: harvest, clean, index and search a newspaper's e-paper archive."""
    ctx.obj = resolve_data_dir(data)


# --- fetch / clean / store (owner: foundation) -------------------------------------------


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_obj
def ingest(data_dir: Path, paths: tuple[Path, ...]) -> None:
    """Clean and store e-paper HTML files, or folders of them (recursively)."""
    raise click.ClickException("not implemented yet")


@main.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_obj
def import_(data_dir: Path, files: tuple[Path, ...]) -> None:
    """Store articles extracted elsewhere: JSON Lines, optionally gzipped."""
    raise click.ClickException("not implemented yet")


@main.command()
@click.pass_obj
def export(data_dir: Path) -> None:
    """Print every stored article as JSON Lines."""
    raise click.ClickException("not implemented yet")


@main.command()
@click.pass_obj
def stats(data_dir: Path) -> None:
    """Count stored articles by paper, year and page."""
    raise click.ClickException("not implemented yet")


@main.command()
@click.pass_obj
def reclean(data_dir: Path) -> None:
    """Re-extract every stored raw page with the current cleaner."""
    raise click.ClickException("not implemented yet")


# --- index / search (owner: search core) --------------------------------------------------


@main.command()
@click.option("--rebuild", is_flag=True, help="Build afresh beside the live index, then swap.")
@click.pass_obj
def index(data_dir: Path, rebuild: bool) -> None:
    """Bring the search index up to date with the store."""
    raise click.ClickException("not implemented yet")


@main.command()
@click.argument("query")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(0, 100000))
@click.option("--offset", default=0, show_default=True, type=click.IntRange(0))
@click.option("--from", "date_from", metavar="DATE", default=None)
@click.option("--to", "date_to", metavar="DATE", default=None)
@click.option("--page", default=None, help="版次, e.g. 01")
@click.option(
    "--sort",
    default="relevance",
    show_default=True,
    type=click.Choice(["relevance", "newest", "oldest"]),
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def search(
    data_dir: Path,
    query: str,
    limit: int,
    offset: int,
    date_from: str | None,
    date_to: str | None,
    page: str | None,
    sort: str,
    as_json: bool,
) -> None:
    """Search the archive."""
    raise click.ClickException("not implemented yet")


# --- crawl (owner: harvest) ---------------------------------------------------------------


@main.command()
@click.argument("url")
@click.option("--from", "date_from", metavar="DATE", default=None)
@click.option("--to", "date_to", metavar="DATE", default=None)
@click.option("--update", is_flag=True, help="Only the dates since the last successful crawl.")
@click.option("--refresh", is_flag=True, help="Fetch pages again even if archived.")
@click.option("--delay", default=0.5, show_default=True, type=float, help="Seconds between requests to a host.")
@click.option("--concurrency", default=2, show_default=True, type=click.IntRange(1, 8))
@click.pass_obj
def crawl(
    data_dir: Path,
    url: str,
    date_from: str | None,
    date_to: str | None,
    update: bool,
    refresh: bool,
    delay: float,
    concurrency: int,
) -> None:
    """Harvest an e-paper site into the store."""
    raise click.ClickException("not implemented yet")


# --- present (owner: web) -----------------------------------------------------------------


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.pass_obj
def serve(data_dir: Path, host: str, port: int) -> None:
    """Serve the search site (werkzeug; for production use gunicorn 'webui:create_app()')."""
    from webui import create_app

    try:
        app = create_app({"DATA_DIR": data_dir})
    except ValueError as exc:  # a malformed BAOKU_*_ORIGINS setting
        raise click.ClickException(str(exc)) from exc
    click.echo(f"报库 serving {data_dir} on http://{host}:{port}/  (Ctrl-C to stop)")
    app.run(host=host, port=port, threaded=True)


if __name__ == "__main__":
    main()
