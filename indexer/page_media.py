"""A layout page's (版面) picture of the printed page, its PDF, and each article's region on it.

The e-paper systems draw every article's outline on the page picture with an HTML image map:
``<img src=page.jpg usemap=#PagePicMap>`` and ``<map name=PagePicMap><area shape=poly
coords="x1,y1,x2,y2,…" href=content_1.htm>``. The coordinates are in the pixels of the picture
as the page shows it: the <img>'s width/height when it sets them, else the picture's own size.
A PDF of the page is linked as a plain ``<a href=….pdf>``.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup

from indexer.layout import strip_url

Point = tuple[int, int]
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


@dataclass
class Region:
    url: str  # the article page it links to (no query, no fragment)
    points: list[Point]


@dataclass
class PageMedia:
    image_url: str | None = None
    pdf_url: str | None = None
    # The coordinate space of the regions: the <img>'s width and height when it sets them.
    width: int | None = None
    height: int | None = None
    regions: list[Region] = field(default_factory=list)


def parse_page_media(text: str, url: str) -> PageMedia:
    """The page picture, PDF and article regions of one layout page (all optional)."""
    soup = BeautifulSoup(text, "lxml")
    media = PageMedia()
    host = urlsplit(url).netloc
    image = _mapped_image(soup)
    if image is not None and image.get("src"):
        media.image_url = urljoin(url, image["src"].strip())
        media.width, media.height = _int(image.get("width")), _int(image.get("height"))
        name = (image.get("usemap") or "").strip().lstrip("#").lower()
        area_map = next(
            (m for m in soup.find_all("map") if (m.get("name") or "").lower() == name), None
        )
        if area_map is not None:
            media.regions = _regions(area_map, url, host)
    for link in soup.find_all("a", href=True):
        target = urljoin(url, link["href"].strip())
        if urlsplit(target).path.lower().endswith(".pdf"):
            media.pdf_url = target
            break
    return media


def _mapped_image(soup: BeautifulSoup):
    for image in soup.find_all("img"):
        if image.get("usemap"):
            return image
    return None


def _regions(area_map, url: str, host: str) -> list[Region]:
    regions: list[Region] = []
    seen: set[str] = set()
    for area in area_map.find_all("area", href=True):
        target = strip_url(urljoin(url, area["href"].strip()))
        if urlsplit(target).netloc != host or target in seen:
            continue  # ?div=0 and ?div=-1 of one article draw the same outline
        points = area_points(area.get("shape") or "rect", area.get("coords") or "")
        if points:
            seen.add(target)
            regions.append(Region(target, points))
    return regions


def area_points(shape: str, coords: str) -> list[Point]:
    """An <area>'s outline as points: a rect's four corners, a polygon's vertices; [] for
    what cannot be drawn (a circle, too few numbers)."""
    numbers = [round(float(n)) for n in _NUMBER.findall(coords)]
    shape = shape.strip().lower()
    if shape in ("rect", "rectangle", "") and len(numbers) >= 4:
        x1, y1, x2, y2 = numbers[:4]
        return [(x1, y1), (x2, y1), (x2, y2), (x1, y2)]
    if shape in ("poly", "polygon") and len(numbers) >= 6:
        return [(numbers[i], numbers[i + 1]) for i in range(0, len(numbers) - 1, 2)]
    return []


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a JPEG/PNG/GIF picture, from its header; None if it is not one."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as picture:
            return picture.size
    except (UnidentifiedImageError, OSError, ValueError):
        return None


def _int(value: object) -> int | None:
    match = re.match(r"\s*(\d+)", str(value or ""))
    return int(match.group(1)) if match and int(match.group(1)) > 0 else None
