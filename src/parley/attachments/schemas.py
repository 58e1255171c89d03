from parley.core.fields import Model


class AttachmentView(Model):
    """An attachment as a message shows it: signed links that work in <img> and <a>."""

    id: int
    name: str
    size: int
    content_type: str
    is_image: bool
    url: str
    thumbnail_url: str | None


class AttachmentOut(Model):
    """What an upload returns: `url` is what a message's attachment_url takes."""

    id: int
    url: str
    name: str
    size: int
    content_type: str
    is_image: bool
    download_url: str
    thumbnail_url: str | None
