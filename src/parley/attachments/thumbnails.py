"""Image previews, made once at upload with Pillow."""

import io
from typing import IO

from PIL import Image, ImageOps

SIZE = (320, 320)
Image.MAX_IMAGE_PIXELS = 50_000_000  # larger images get no preview (decompression bombs)


def make_thumbnail(source: IO[bytes]) -> bytes | None:
    """A WebP preview no larger than 320 px, or None when the image cannot be read."""
    try:
        with Image.open(source) as image:
            image.seek(0)  # first frame of an animation
            preview = ImageOps.exif_transpose(image) or image
            preview.thumbnail(SIZE)
            if preview.mode not in ("RGB", "RGBA"):
                preview = preview.convert("RGBA" if "transparency" in preview.info else "RGB")
            out = io.BytesIO()
            preview.save(out, "WEBP", quality=80)
            return out.getvalue()
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        return None


def make_square(source: IO[bytes], side: int) -> bytes | None:
    """A ``side`` px square WebP, center-cropped (avatars), or None when unreadable."""
    try:
        with Image.open(source) as image:
            image.seek(0)
            upright = ImageOps.exif_transpose(image) or image
            if upright.mode not in ("RGB", "RGBA"):
                upright = upright.convert("RGBA" if "transparency" in upright.info else "RGB")
            square = ImageOps.fit(upright, (side, side), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            square.save(out, "WEBP", quality=85)
            return out.getvalue()
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        return None
