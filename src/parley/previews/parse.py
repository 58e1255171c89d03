"""A page's title, description, image and site name, from its HTML head.

Open Graph tags first (`og:title`, ...), then `<title>` and `<meta name="description">`.
Parsed with selectolax (the Lexbor HTML5 parser: a few milliseconds for the largest page
we read, so the event loop is not held up). Only text leaves this module: values are
decoded, whitespace-collapsed and cut to length; the HTML itself is never kept.
"""

from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from parley.previews.links import MAX_URL
from parley.previews.schemas import MAX_DESCRIPTION, MAX_SITE_NAME, MAX_TITLE, LinkPreview


def _text(value: str | None, limit: int) -> str | None:
    if not value:
        return None
    # Collapse runs of whitespace (and drop control characters) so a page cannot shape
    # how the client lays the text out.
    words = "".join(c if c.isprintable() else " " for c in value).split()
    text = " ".join(words)
    if not text:
        return None
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _absolute_http(base: str, value: str | None) -> str | None:
    """``value`` resolved against the page's URL, if that is an http(s) URL that fits."""
    if not value or not value.strip():
        return None
    try:
        url = urljoin(base, value.strip())
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > MAX_URL:
        return None
    if any(not c.isprintable() or c.isspace() for c in url):
        return None
    return url


def parse(html: str, *, link: str, page_url: str) -> LinkPreview | None:
    """The preview of ``link`` from its page (``page_url``: where it ended up after
    redirects, to resolve a relative image against); None if the page says nothing."""
    tree = LexborHTMLParser(html)

    def meta(*keys: str) -> str | None:
        for key in keys:
            for attribute in ("property", "name"):
                node = tree.css_first(f'meta[{attribute}="{key}"]')
                content = node.attributes.get("content") if node is not None else None
                if content and content.strip():
                    return content
        return None

    title_tag = tree.css_first("title")
    title = _text(
        meta("og:title", "twitter:title") or (title_tag.text() if title_tag else None), MAX_TITLE
    )
    description = _text(
        meta("og:description", "twitter:description", "description"), MAX_DESCRIPTION
    )
    image_url = _absolute_http(page_url, meta("og:image", "og:image:url", "twitter:image"))
    site_name = _text(meta("og:site_name"), MAX_SITE_NAME)
    if title is None and description is None and image_url is None:
        return None
    return LinkPreview(
        url=link,
        title=title,
        description=description,
        image_url=image_url,
        site_name=site_name,
    )
