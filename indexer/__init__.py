"""Baoku (报库): harvest, clean, store, index and search a newspaper's e-paper archive.

The pipeline runs one way: crawl → clean → store → analysis → index → search.
`Archive` is the one entry point that the CLI and the web app share.
"""

from indexer.article import Article, Caption, Section

__all__ = ["Archive", "Article", "Caption", "Section"]


def __getattr__(name: str):
    # Whoosh and jieba load only when searching is actually asked for.
    if name == "Archive":
        from indexer.archive import Archive

        return Archive
    raise AttributeError(name)
