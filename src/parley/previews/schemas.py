from pydantic import BaseModel

MAX_TITLE = 200
MAX_DESCRIPTION = 500
MAX_SITE_NAME = 100


class LinkPreview(BaseModel):
    """What a message's first link says about itself (`MessageOut.preview`).

    Plain text only: titles and descriptions are the text of the page's tags (entities
    decoded, whitespace collapsed, cut to length), never HTML; ``image_url`` is an
    absolute http(s) URL or null.
    """

    url: str
    title: str | None = None
    description: str | None = None
    image_url: str | None = None
    site_name: str | None = None
