"""The `baoku` command: a thin layer over the library, one command per pipeline stage."""

from __future__ import annotations

import html
import json
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from indexer.config import DEMO_BASE_URL, DEMO_PAPER, demo_pages, resolve_data_dir
from indexer.progress import Progress as ProgressFn
from indexer.results import SORTS, SearchResult


class _BaokuGroup(click.Group):
    """The one place where a write the file system refuses (disk full, read-only, no
    permission) becomes a one-line message saying so and where, instead of a traceback."""

    def invoke(self, ctx: click.Context):
        from indexer.solr_client import SolrError, SolrUnavailable

        try:
            return super().invoke(ctx)
        except (SolrUnavailable, SolrError) as exc:
            # The cluster down (or refusing): one line for cron's mail, never a traceback.
            raise click.ClickException(f"{exc}; the store under {ctx.obj} is untouched") from None
        except (OSError, ValueError, RuntimeError) as exc:
            from indexer.fsutil import refusal_text, refused_write

            error = refused_write(exc)
            if error is None:
                raise
            where = ctx.obj if isinstance(ctx.obj, Path) else Path.cwd()
            command = ctx.invoked_subcommand or ""
            raise click.ClickException(
                f"{refusal_text(error, where)}; {_REFUSAL_OUTCOMES.get(command, _UNCHANGED)}"
            ) from None


_UNCHANGED = "the store and the live index are as they were before this command"
_REFUSAL_OUTCOMES = {
    "crawl": "every page and article stored before it is whole and the live index unchanged; "
    "run the same crawl again to resume once there is room",
    "backup": "no half snapshot is left and the data dir is untouched",
    "check": "what was repaired before is whole; run `baoku check --repair` again",
}


@click.group(cls=_BaokuGroup, context_settings={"help_option_names": ["-h", "--help"]})
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


# --- fetch / clean / store -----------------------------------------------------------------


@contextmanager
def _progress(
    description: str, counts: bool = True, total: int | None = None
) -> Iterator[ProgressFn]:
    """Rich progress bars on stderr (only on a terminal), one per stage of the job; yields an
    indexer.progress callback, the one adapter every long command uses.

    counts=False for progress in bytes, where "n of m" would mean little to a reader; `total`
    for when the caller knows it and the job does not. It wraps every command that writes
    articles, so a write the file system refuses ends there.
    """
    from indexer.store import StoreWriteError

    console = Console(stderr=True)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn() if counts else TaskProgressColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def update(done: int, known: int, stage: str = "") -> None:
            if stage not in tasks:  # one bar per stage of a job (the crawl has three)
                tasks[stage] = bar.add_task(stage or description, total=total)
            bar.update(tasks[stage], completed=done, total=known or total)

        try:
            yield update
        except StoreWriteError as exc:  # full disk, read-only: one line, the store is unchanged
            raise click.ClickException(str(exc)) from None


def _print_problems(title: str, problems: list) -> None:
    """Every problem on stderr, one a line (file[:line]: reason), so it can be grepped."""
    if not problems:
        return
    click.echo(f"{title} ({len(problems)}):", err=True)
    for problem in problems:
        click.echo(f"  {problem}", err=True)


def _stored_summary(stored) -> str:
    return f"{stored.new} new, {stored.updated} updated, {stored.unchanged} unchanged"


def _open_store(data_dir: Path, must_exist: bool = False):
    from indexer.store import Store

    if must_exist and not data_dir.is_dir():
        raise click.ClickException(f"no archive at {data_dir} (use --data DIR or $BAOKU_DATA)")
    return Store(data_dir)


_profile_option = click.option(
    "--profile",
    "profile_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A site profile (TOML), tried before DATA/profiles/ and the built-in ones; repeatable.",
)


def _profiles(data_dir: Path, files: tuple[Path, ...]) -> tuple:
    from indexer.profiles import ProfileError, site_profiles

    try:
        return site_profiles(data_dir, files)
    except ProfileError as exc:
        raise click.ClickException(str(exc)) from exc


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--paper", default="", help="Paper name, when the pages don't say it.")
@click.option(
    "--base-url",
    default=None,
    metavar="URL",
    help="URL the folder was mirrored from; gives ids that don't depend on the local path.",
)
@_profile_option
@click.pass_obj
def ingest(
    data_dir: Path,
    paths: tuple[Path, ...],
    paper: str,
    base_url: str | None,
    profile_files: tuple[Path, ...],
) -> None:
    """Clean and store e-paper HTML files, or folders of them (recursively)."""
    from indexer.ingest import ingest_paths

    profiles = _profiles(data_dir, profile_files)
    store = _open_store(data_dir)
    with _progress("cleaning") as progress:
        report = ingest_paths(
            store, paths, paper=paper, base_url=base_url, progress=progress, profiles=profiles
        )
    _print_problems("errors", report.errors)
    click.echo(
        f"{report.files} HTML files: {report.articles} articles stored "
        f"({_stored_summary(report.stored)}), {len(report.not_articles)} layout pages skipped, "
        f"{len(report.errors)} errors, {len(report.skipped)} non-HTML files ignored → {data_dir}"
    )
    if report.articles == 0:
        raise click.ClickException("no article could be stored")


@main.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_obj
def import_(data_dir: Path, files: tuple[Path, ...]) -> None:
    """Store articles extracted elsewhere: JSON Lines, optionally gzipped."""
    from indexer.ingest import import_jsonl

    store = _open_store(data_dir)
    started = time.perf_counter()
    with _progress("importing", counts=False) as progress:
        report = import_jsonl(store, files, progress=progress)
    _print_problems("errors", report.errors)
    click.echo(
        f"{report.lines} lines in {report.files} files: {report.articles} articles "
        f"({_stored_summary(report.stored)}), {len(report.errors)} errors, "
        f"{time.perf_counter() - started:.1f} s → {data_dir}"
    )
    if report.articles == 0:
        raise click.ClickException("no article could be imported")


@main.command()
@click.pass_obj
def export(data_dir: Path) -> None:
    """Print every stored article as JSON Lines."""
    store = _open_store(data_dir, must_exist=True)
    for article in store.iter_articles():
        click.echo(article.to_json())  # click.echo copes with a non-UTF-8 terminal


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def stats(data_dir: Path, as_json: bool) -> None:
    """Count stored articles by paper, year and page."""
    store = _open_store(data_dir, must_exist=True)
    papers: dict[str, dict] = {}
    for article in store.iter_articles():
        entry = papers.setdefault(
            article.paper, {"articles": 0, "first": "", "last": "", "years": {}, "pages": {}}
        )
        entry["articles"] += 1
        year = article.date[:4] if article.date else "undated"
        entry["years"][year] = entry["years"].get(year, 0) + 1
        entry["pages"][article.page] = entry["pages"].get(article.page, 0) + 1
        if article.date:
            entry["first"] = min(entry["first"] or article.date, article.date)
            entry["last"] = max(entry["last"], article.date)
    for entry in papers.values():
        entry["years"] = dict(sorted(entry["years"].items()))
        entry["pages"] = dict(sorted(entry["pages"].items(), key=lambda kv: (len(kv[0]), kv[0])))
    summary = {
        "articles": sum(e["articles"] for e in papers.values()),
        "raw_pages": sum(1 for _ in store.iter_raw()),
        "papers": dict(sorted(papers.items())),
    }
    summary["page_images"] = _page_image_use(data_dir)
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    _print_stats(summary)


def _page_image_use(data_dir: Path) -> dict[str, int]:
    """How many page pictures and PDFs are kept (indexer/pages.py) and their disk use."""
    from indexer.pages import PageCatalogue

    use = {"pages": 0, "images": 0, "pdfs": 0, "bytes": 0}
    counted: set[str] = set()
    for record in PageCatalogue(data_dir).records().values():
        use["pages"] += 1
        for kind, source in (("images", record.image), ("pdfs", record.pdf)):
            if source and source not in counted:
                counted.add(source)
                use[kind] += 1
                path = Path(data_dir) / source
                use["bytes"] += path.stat().st_size if path.exists() else 0
    return use


def _print_stats(summary: dict) -> None:
    console = Console()
    overview = Table(title=f"{summary['articles']} articles, {summary['raw_pages']} raw pages")
    for column in ("paper", "articles", "first", "last"):
        overview.add_column(column, justify="right" if column == "articles" else "left")
    years = Table(title="per year")
    pages = Table(title="per page (版次)")
    for table in (years, pages):
        table.add_column("paper")
        table.add_column("year" if table is years else "page")
        table.add_column("articles", justify="right")
    for paper, entry in summary["papers"].items():
        overview.add_row(paper, str(entry["articles"]), entry["first"], entry["last"])
        for year, count in entry["years"].items():
            years.add_row(paper, year, str(count))
        for page, count in entry["pages"].items():
            pages.add_row(paper, page or "—", str(count))
    for table in (overview, years, pages):
        console.print(table)
    use = summary.get("page_images") or {}
    if use.get("pages"):
        console.print(
            f"page images: {use['images']} pictures, {use['pdfs']} PDFs for {use['pages']} pages, "
            f"{use['bytes'] / 1e6:.1f} MB"
        )


@main.command()
@_profile_option
@click.pass_obj
def reclean(data_dir: Path, profile_files: tuple[Path, ...]) -> None:
    """Re-extract every stored raw page with the current cleaner."""
    from indexer.ingest import reclean as reclean_store

    profiles = _profiles(data_dir, profile_files)
    store = _open_store(data_dir, must_exist=True)
    with _progress("re-cleaning") as progress:
        report = reclean_store(store, progress=progress, profiles=profiles)
    _print_problems("errors", report.errors)
    click.echo(
        f"{report.pages} raw pages: {report.articles} articles ({_stored_summary(report.stored)}), "
        f"{report.plain_text} imported articles given 小标题, "
        f"{len(report.not_articles)} layout pages, {len(report.errors)} errors"
    )
    if report.articles == 0 and report.plain_text == 0:
        raise click.ClickException(f"no article could be re-cleaned from {data_dir}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Build and index only.")
@click.pass_context
def demo(ctx: click.Context, host: str, port: int, no_serve: bool) -> None:
    """Build the demo archive (the demo pages shipped with Baoku), index it and serve it."""
    from indexer.ingest import ingest_paths

    data_dir: Path = ctx.obj
    pages = demo_pages()
    if not pages.is_dir():
        raise click.ClickException(f"the demo pages are missing: {pages}")
    store = _open_store(data_dir)
    with _progress("cleaning the demo") as progress:
        # Only html/: index.html and paperindex.htm just redirect to the newest issue.
        report = ingest_paths(
            store,
            [pages / "html"],
            paper=DEMO_PAPER,
            base_url=DEMO_BASE_URL + "html/",
            progress=progress,
        )
    _print_problems("errors", report.errors)
    click.echo(f"demo: {report.articles} articles ({_stored_summary(report.stored)}) → {data_dir}")
    if report.articles == 0:
        raise click.ClickException("the demo pages gave no article")
    from indexer import Archive

    indexed = Archive(data_dir).reindex()
    click.echo(
        f"indexed: {indexed.added} added, {indexed.updated} updated, {indexed.deleted} deleted, "
        f"{indexed.total} in the index"
    )
    if no_serve:
        return
    os.environ["BAOKU_DATA"] = str(data_dir)
    ctx.invoke(serve, host=host, port=port)


# --- index / search -------------------------------------------------------------------------


_solr_option = click.option(
    "--solr",
    "solr_url",
    metavar="URL",
    default=None,
    help="Use the SolrCloud collection `baoku` at this node URL, e.g. "
    "http://127.0.0.1:8983/solr (default: $BAOKU_SOLR_URL, else the Whoosh index under DATA).",
)


def _where(data_dir: Path, archive) -> str:
    """Where the index lives, for messages: the data dir, or the Solr alias and node."""
    solr_url = getattr(archive, "solr_url", None)
    return f"the Solr collection at {solr_url}" if solr_url else str(data_dir)


@main.command()
@click.option("--rebuild", is_flag=True, help="Build afresh beside the live index, then swap.")
@_solr_option
@click.option(
    "--shards",
    default=2,
    show_default=True,
    type=click.IntRange(1, 1024),
    help="Solr only: shards of a new collection (the first build, or --rebuild).",
)
@click.option(
    "--replicas",
    default=2,
    show_default=True,
    type=click.IntRange(1, 16),
    help="Solr only: copies of each shard in a new collection.",
)
@click.pass_obj
def index(
    data_dir: Path,
    rebuild: bool,
    solr_url: str | None = None,
    shards: int = 2,
    replicas: int = 2,
) -> None:
    """Bring the search index up to date with the store."""
    from indexer.archive import Archive
    from indexer.index import IndexBusy
    from indexer.store import Store

    total = len(Store(data_dir))
    with _progress("rebuilding" if rebuild else "indexing", total=total or None) as progress:
        try:
            with Archive(data_dir, solr_url=solr_url) as archive:
                layout = (
                    {"shards": shards, "replicas": replicas} if archive.backend == "solr" else {}
                )
                report = archive.reindex(rebuild=rebuild, progress=progress, **layout)
        except IndexBusy as exc:
            raise click.ClickException(str(exc)) from None
    how = "rebuilt" if report.rebuilt else "updated"
    click.echo(
        f"index {how}: {report.added} added, {report.updated} updated, "
        f"{report.deleted} deleted, {report.total} articles ({report.seconds:.1f} s)"
    )


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
    type=click.Choice(SORTS),
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--all-copies", is_flag=True, help="List every copy of a text printed twice as its own hit."
)
@_solr_option
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
    all_copies: bool = False,
    solr_url: str | None = None,
) -> None:
    """Search the archive."""
    from indexer.archive import Archive
    from indexer.index import IndexOutdated
    from indexer.results import IndexState

    with Archive(data_dir, solr_url=solr_url) as archive:
        state = archive.index_state()
        where = _where(data_dir, archive)
        if state == IndexState.MISSING:
            raise click.ClickException(f"no index in {where}: run `baoku index` first")
        if state == IndexState.BROKEN:
            raise click.ClickException(
                f"the index in {where} cannot be opened: run `baoku index --rebuild`"
            )
        try:
            result = archive.search(
                query,
                limit=limit,
                offset=offset,
                date_from=date_from,
                date_to=date_to,
                page=page,
                sort=sort,
                collapse=not all_copies,
            )
        except (ValueError, IndexOutdated) as exc:
            raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    _print_results(result)


def _print_results(result: SearchResult) -> None:
    from rich.markup import escape

    from indexer.copies import copies_line

    console = Console()
    parsed = result.parsed
    distinct = result.total_collapsed
    console.print(
        f"{result.total} 篇"
        + (f"（{distinct} 篇不同稿件）" if distinct < result.total else "")
        + (f"（另有 {result.total_near} 篇包含全部字但不连续）" if result.total_near else "")
        + f" · {result.took_ms} ms · 检索词: "
        + escape(" ".join(parsed.terms))
    )
    if parsed.suggestion:
        console.print(escape(parsed.suggestion), style="yellow")
    if parsed.suggestion_query:
        console.print(f"试试: baoku search {escape(repr(parsed.suggestion_query))}", style="yellow")
    for n, hit in enumerate(result.hits, start=result.offset + 1):
        page = f"第{hit.page}版" if hit.page else ""
        console.print(
            f"[bold]{n}. {escape(hit.title)}[/bold]  "
            f"[dim]{hit.date} {escape(page)} {escape(hit.paper)} · {hit.id}[/dim]"
        )
        console.print("   " + _snippet_markup(hit.snippet, console.is_terminal))
        if hit.copies:
            console.print(f"   [dim]{escape(copies_line(hit.copies))}[/dim]")
    _print_entity_facets(console, result)


def _print_entity_facets(console: Console, result: SearchResult) -> None:
    """The top people, places and organisations of the whole result, as 人物:name (count)."""
    from rich.markup import escape

    for name, prefix in (("person", "人物"), ("place", "地点"), ("organization", "机构")):
        top = list(getattr(result.facets, name).items())[:8]
        if top:
            shown = "  ".join(f"{prefix}:{escape(v)} ({n})" for v, n in top)
            console.print(f"[dim]{shown}[/dim]")


def _snippet_markup(snippet: str, styled: bool = True) -> str:
    """The snippet's HTML (escaped text, <mark> around matches) as rich markup.

    Piped into a file or another program, styles vanish, so matches are bracketed 【…】.
    """
    from rich.markup import escape

    out = []
    for i, piece in enumerate(re.split(r"</?mark>", snippet)):
        text = escape(html.unescape(piece))
        if i % 2:
            text = f"[bold reverse]{text}[/bold reverse]" if styled else f"【{text}】"
        out.append(text)
    return "".join(out)


# --- crawl ---------------------------------------------------------------------------------


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--url", default="", help="The page's address, when it matters (dates, profiles).")
@click.option("--paper", default="", help="Paper name, when the pages don't say it.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line, as stored.")
@click.option("--explain", is_flag=True, help="Show the rule that found each field.")
@_profile_option
@click.pass_obj
def clean(
    data_dir: Path,
    files: tuple[Path, ...],
    url: str,
    paper: str,
    as_json: bool,
    explain: bool,
    profile_files: tuple[Path, ...],
) -> None:
    """Print the article each page would give, without storing anything."""
    from indexer.clean import explain_page
    from indexer.clean.report import explained_dict, explained_text

    profiles = _profiles(data_dir, profile_files)
    failed = 0
    for path in files:
        try:
            cleaned = explain_page(
                path.read_bytes(),
                url=url or path.resolve().as_uri(),
                paper=paper,
                profiles=profiles,
            )
        except (OSError, ValueError) as exc:
            failed += 1
            click.echo(f"{path}: {exc}", err=True)
            continue
        if as_json:
            click.echo(json.dumps(explained_dict(cleaned, explain=explain), ensure_ascii=False))
        else:
            click.echo(f"== {path}")
            click.echo(explained_text(cleaned, explain=explain))
    if failed == len(files):
        raise click.ClickException("no page could be cleaned")


@main.command()
@click.argument("url")
@click.option("--from", "date_from", metavar="DATE", default=None)
@click.option("--to", "date_to", metavar="DATE", default=None)
@click.option("--update", is_flag=True, help="Only the dates since the last successful crawl.")
@click.option("--refresh", is_flag=True, help="Fetch pages again even if archived.")
@click.option(
    "--delay",
    default=0.5,
    show_default=True,
    type=float,
    help="Seconds between requests to a host.",
)
@click.option("--concurrency", default=2, show_default=True, type=click.IntRange(1, 8))
@click.option("--timeout", default=20.0, show_default=True, type=float, help="Seconds per request.")
@click.option("--paper", default="", help="The paper's name, when the pages don't say it.")
@click.option(
    "--no-page-images",
    "no_page_images",
    is_flag=True,
    help="Do not keep the pages' pictures and PDFs (nor the article outlines on them).",
)
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
    timeout: float,
    paper: str,
    no_page_images: bool = False,
) -> None:
    """Harvest an e-paper site into the store.

    URL is the site's front page or any issue's layout page (版面). Without --from/--to only
    that issue is crawled; --update crawls from the last successful date to the newest issue.
    """
    from indexer.crawl import CrawlError
    from indexer.crawl import crawl as run_crawl
    from indexer.store import Store

    err = Console(stderr=True)
    with _progress("crawling") as progress:
        try:
            report = run_crawl(
                Store(data_dir),
                url,
                date_from=date_from,
                date_to=date_to,
                update=update,
                refresh=refresh,
                delay=delay,
                concurrency=concurrency,
                timeout=timeout,
                paper=paper,
                progress=progress,
                page_images=not no_page_images,
            )
        except CrawlError as exc:
            raise click.ClickException(str(exc)) from exc
    for url_failed, reason in report.failures[:20]:
        err.print(f"failed {url_failed}: {reason}", markup=False, highlight=False)
    if len(report.failures) > 20:
        err.print(f"… and {len(report.failures) - 20} more failures (see crawl/ in the data dir)")
    for day, reason in report.skipped_dates:
        err.print(f"skipped {day}: {reason}", highlight=False)
    if report.blocked:
        err.print(f"{len(report.blocked)} URL(s) not fetched: robots.txt forbids them")
    click.echo(
        f"dates {len(report.dates)}, fetched {report.fetched}, new {report.new}, "
        f"updated {report.updated}, unchanged {report.unchanged}, failed {report.failed}"
    )
    if report.interrupted:
        err.print("interrupted: state saved; run the same command again to resume")
        raise SystemExit(130)
    if report.articles == 0 and (report.failed or report.fetched == 0):
        raise click.ClickException("nothing could be fetched")


# --- present -------------------------------------------------------------------------------


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@_solr_option
@click.pass_obj
def serve(data_dir: Path, host: str, port: int, solr_url: str | None = None) -> None:
    """Serve the search site (werkzeug; for production use gunicorn 'webui:create_app()')."""
    from webui import create_app

    try:
        app = create_app({"DATA_DIR": data_dir, **({"SOLR_URL": solr_url} if solr_url else {})})
    except ValueError as exc:  # a malformed BAOKU_*_ORIGINS setting
        raise click.ClickException(str(exc)) from exc
    click.echo(f"报库 serving {data_dir} on http://{host}:{port}/  (Ctrl-C to stop)")
    app.run(host=host, port=port, threaded=True)


if __name__ == "__main__":
    main()


# --- operations: check, backup ----------------------------------------------------------------


@main.command()
@click.option(
    "--repair",
    is_flag=True,
    help="Rebuild the catalogues and the index; move what cannot be read to DATA/quarantine/.",
)
@click.pass_obj
def check(data_dir: Path, repair: bool) -> None:
    """Verify the article files, raw pages and index; exit 1 on any problem, each with its path."""
    from indexer.check import check_data_dir, repair_data_dir

    if not data_dir.is_dir():
        raise click.ClickException(f"no archive at {data_dir} (use --data DIR or $BAOKU_DATA)")
    report = repair_data_dir(data_dir) if repair else check_data_dir(data_dir)
    for line in report.repaired:
        click.echo(f"repaired: {line}")
    for problem in report.problems:
        click.echo(str(problem), err=True)
    click.echo(
        f"{report.article_files} article files, {report.articles} articles "
        f"({report.article_parts} parts), {report.raw_pages} raw pages, {report.indexed} indexed: "
        + ("no problem" if report.ok else f"{len(report.problems)} problems")
        + f" in {data_dir}"
    )
    if not report.ok:
        raise SystemExit(1)


@main.command()
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.pass_obj
def backup(data_dir: Path, dest: Path) -> None:
    """Snapshot the store and the live index into DEST/<time>/ (safe while serving/crawling)."""
    from indexer.backup import backup as take_backup

    if not data_dir.is_dir():
        raise click.ClickException(f"no archive at {data_dir} (use --data DIR or $BAOKU_DATA)")
    try:
        report = take_backup(data_dir, dest)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"backup {report.snapshot}: {report.article_files} article files, "
        f"{report.raw_copied} new raw pages copied, {report.raw_linked} linked from the "
        f"previous backup (and {report.files_linked} unchanged files), "
        f"index {report.generation or '(none)'}; "
        f"{report.bytes_copied / 1e6:.1f} MB in {report.seconds:.1f} s "
        f"(writers held {report.locked_seconds:.1f} s)"
    )
