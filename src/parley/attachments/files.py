"""What a file is, judged from its bytes: the type to serve it as, and whether to refuse it."""

import re
import unicodedata
from dataclasses import dataclass

import filetype

# Served inline (as <img>); everything else is a download. SVG is missing on purpose: it
# can carry script.
INLINE_IMAGES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
# Programs and scripts a double-click would run.
BLOCKED_TYPES = {
    "application/x-msdownload",  # PE: .exe, .dll
    "application/x-executable",  # ELF
    "application/x-elf",
    "application/x-mach-binary",
    "application/x-sharedlib",
    "application/vnd.microsoft.portable-executable",
    "application/x-shockwave-flash",
    "application/vnd.android.package-archive",
    "application/java-archive",
}
BLOCKED_EXTENSIONS = {
    "exe",
    "dll",
    "com",
    "scr",
    "msi",
    "msp",
    "bat",
    "cmd",
    "ps1",
    "psm1",
    "vbs",
    "vbe",
    "js",
    "jse",
    "wsf",
    "wsh",
    "hta",
    "cpl",
    "jar",
    "apk",
    "app",
    "sh",
    "run",
    "elf",
    "lnk",
    "reg",
    "pif",
    "gadget",
    "msc",
}
SNIFF_BYTES = 8192


@dataclass(frozen=True)
class Verdict:
    content_type: str
    blocked: str | None  # why it is refused, or None


def judge(head: bytes, name: str) -> Verdict:
    """Decide from the first bytes (and, for refusal only, the name's extension)."""
    kind = filetype.guess(head)
    if head.startswith(b"MZ"):
        content_type = "application/x-msdownload"
    elif head.startswith(b"\x7fELF"):
        content_type = "application/x-executable"
    elif kind is not None:
        content_type = kind.mime
    elif head.startswith(b"#!"):
        content_type = "text/x-script"
    elif _is_text(head):
        content_type = "text/plain"
    else:
        content_type = "application/octet-stream"
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if content_type in BLOCKED_TYPES or content_type == "text/x-script":
        return Verdict(content_type, "executable files are not accepted")
    if extension in BLOCKED_EXTENSIONS:
        return Verdict(content_type, f".{extension} files are not accepted")
    return Verdict(content_type, None)


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        return exc.start >= len(head) - 3
    return True


_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def clean_name(raw: str | None) -> str:
    """A file name safe to store and to put in a header: no path, no control characters."""
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]  # drop any directories
    name = _UNSAFE.sub("_", name).strip(" .")
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 200 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 16 else name[:200]
    return name or "file"
