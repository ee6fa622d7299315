"""What `baoku clean` prints: the article a page gives, and with --explain, how."""

from __future__ import annotations

from typing import Any

from indexer.clean.extract import Cleaned

_LABELS = (
    ("paper", "paper"),
    ("date", "date"),
    ("page", "版次"),
    ("page_name", "版名"),
    ("kicker", "引题"),
    ("title", "标题"),
    ("subtitle", "副题"),
    ("author", "byline"),
)


def explained_dict(cleaned: Cleaned, *, explain: bool) -> dict[str, Any]:
    """The article as stored (Article.to_dict), plus `explain` when asked for."""
    data = cleaned.article.to_dict()
    if explain:
        data["explain"] = {
            "extractor": cleaned.extractor,
            "rules": cleaned.rules,
            "rejected": cleaned.rejected,
        }
    return data


def explained_text(cleaned: Cleaned, *, explain: bool) -> str:
    """The article for a reader: its fields, 小标题 and paragraphs, captions; with `explain`,
    the rule behind each field and why a field was left empty."""
    article = cleaned.article
    lines = []
    for name, label in _LABELS:
        lines.append(f"{label}: {getattr(article, name)}".rstrip())
        if explain:
            rule = cleaned.rules.get(name, "")
            if name in cleaned.rejected:
                rule = f"left empty: {cleaned.rejected[name]}"
            if rule:
                lines.append(f"      ← {rule}")
    lines.append(f"字数: {article.word_count}")
    if explain:
        lines.append(f"layer: {cleaned.extractor}")
    for caption in article.captions:
        lines.append(f"图片: {caption.text}  [{caption.src}]")
    for section in article.sections:
        if section.heading:
            lines.append(f"## {section.heading}")
        lines.extend(f"    {p}" for p in section.paragraphs)
    return "\n".join(lines)
