"""The archive: README, my profile, and per chat its messages as JSON and as an HTML page
with its files, in one zip written to a temporary file.

Nothing holds the whole archive, or a whole chat, in memory: messages are read a page at a
time (keyset on id); each chat's JSON and HTML grow in temporary files and are copied into
the zip when the chat is done; files are copied chunk by chunk from the attachment
storage. Zip writing and template rendering are CPU and disk work, so they run in a
thread (``asyncio.to_thread``) a page or a chunk at a time; the database reads stay on
the event loop.

The HTML is rendered by Jinja2 with autoescaping on: every name, message and file name is
text, never markup. The pages run no scripts and link only to files inside the archive,
so they work opened straight from disk.
"""

import asyncio
import json
import math
import os
import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import IO

from jinja2 import Environment, PackageLoader, StrictUndefined
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parley.attachments.files import INLINE_IMAGES
from parley.attachments.storage import Storage
from parley.auth.schemas import UserOut
from parley.db.types import utcnow
from parley.exports import service
from parley.exports.service import ChatRecord, FileRecord, MessageRecord

PAGE = 500  # messages read, and rendered, at a time
BUILD_SHARE = 0.95  # of the progress; storing the finished archive is the rest
Report = Callable[[float], Awaitable[None]]

# The pages' templates, package data beside this module (see pyproject.toml).
_ENV = Environment(
    loader=PackageLoader("parley.exports", "templates"),
    autoescape=True,  # every value is text: <, >, &, " and ' come out as entities
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

_README = """Parley export
=============

This archive holds your Parley account as it was when the export was made: your
profile and every chat you were a member of then, with every message that had not
been deleted and the files sent with them. Chats you are not in are not included.

Made for:  {display_name} (@{username})
Made on:   {exported} UTC
Chats:     {chats}

What is where
-------------
index.html                          start here: every chat, with a link to its page
account.json                        your profile
chats/<id>-<name>/index.html        one chat as a page you can read offline
chats/<id>-<name>/messages.json     the same chat as data (for other programs)
chats/<id>-<name>/files/            the files sent in the chat

Times are in UTC. The pages run no scripts and need no network connection.
"""


def slug(name: str) -> str:
    """An ASCII folder name for a chat: its name in lower case, dashes between words."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return text[:40].strip("-") or "chat"


def safe_filename(name: str) -> str:
    """A file name that is safe on every system: ASCII letters, digits, dot, dash, underscore
    (the end kept, where the extension is)."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._")
    return text[-100:].lstrip("._") or "file"


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    amount = float(size)
    for unit in ("KB", "MB", "GB"):  # noqa: B007  # the unit reached is used below
        amount /= 1024
        if amount < 1024:
            break
    return f"{amount:.1f} {unit}"


def chat_folder(chat: ChatRecord) -> str:
    return f"chats/{chat.id}-{slug(chat.name)}"


def file_name(file: FileRecord) -> str:
    return f"files/{file.id}-{safe_filename(file.name)}"


def _stamp(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


class Archive:
    """The zip under construction. Its methods block: call them through to_thread."""

    def __init__(self, out: IO[bytes], made: datetime) -> None:
        self.zip = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED)
        self._date = made.timetuple()[:6]

    def _info(self, name: str, compress: int) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self._date)
        info.compress_type = compress
        info.external_attr = 0o644 << 16
        return info

    def text(self, name: str, content: str) -> None:
        self.zip.writestr(self._info(name, zipfile.ZIP_DEFLATED), content.encode())

    def copy(self, name: str, source: IO[bytes]) -> None:
        size = os.fstat(source.fileno()).st_size
        source.seek(0)
        large = size > zipfile.ZIP64_LIMIT // 2
        with self.zip.open(self._info(name, zipfile.ZIP_DEFLATED), "w", force_zip64=large) as out:
            shutil.copyfileobj(source, out, 256 * 1024)

    def open_file(self, name: str, size: int) -> IO[bytes]:
        # Stored, not deflated: pictures and documents are mostly compressed already.
        large = size > zipfile.ZIP64_LIMIT // 2
        return self.zip.open(self._info(name, zipfile.ZIP_STORED), "w", force_zip64=large)

    def close(self) -> None:
        self.zip.close()


class ChatPart:
    """One chat's messages.json and index.html, growing in temporary files page by page."""

    def __init__(self, chat: ChatRecord, workdir: Path, exported: str) -> None:
        self.chat = chat
        self.folder = chat_folder(chat)
        self.exported = exported
        self.count = 0
        # Closed by finish() or close(), after many pages: no single block holds them.
        self._json = tempfile.TemporaryFile(dir=workdir)  # noqa: SIM115
        self._html = tempfile.TemporaryFile(dir=workdir)  # noqa: SIM115
        about = {
            "id": chat.id,
            "name": chat.name,
            "kind": chat.kind,
            "members": [
                {"id": m.id, "username": m.username, "display_name": m.display_name}
                for m in chat.members
            ],
        }
        head = json.dumps(about, ensure_ascii=False, indent=1)
        self._json.write((head[:-2] + ',\n "messages": [').encode())
        head_html = _ENV.get_template("chat_head.html").render(chat=chat, title=chat.name)
        self._html.write(head_html.encode())

    def add(self, page: list[MessageRecord]) -> None:
        records = []
        entries = []
        for message in page:
            path = None if message.file is None else file_name(message.file)
            records.append(
                {
                    "id": message.id,
                    "sender": {"id": message.sender_id, "username": message.sender_username},
                    "created_at": _stamp(message.created_at),
                    "edited_at": _stamp(message.edited_at),
                    "content": message.content,
                    "reply_to_id": message.reply_to_id,
                    "reactions": message.reactions,
                    "attachments": []
                    if message.file is None
                    else [
                        {
                            "filename": message.file.name,
                            "size": message.file.size,
                            "content_type": message.file.content_type,
                            "path": f"{self.folder}/{path}",
                        }
                    ],
                }
            )
            entries.append(
                {
                    "message": message,
                    "href": path,
                    "image": message.file is not None
                    and message.file.content_type in INLINE_IMAGES,
                    "size": human_size(message.file.size) if message.file else "",
                }
            )
        for record in records:
            prefix = "\n  " if self.count == 0 else ",\n  "
            self._json.write((prefix + json.dumps(record, ensure_ascii=False)).encode())
            self.count += 1
        self._html.write(_ENV.get_template("messages.html").render(entries=entries).encode())

    def finish(self, archive: Archive) -> None:
        self._json.write(("\n ]\n}\n" if self.count else "]\n}\n").encode())
        foot = _ENV.get_template("chat_foot.html").render(count=self.count, exported=self.exported)
        self._html.write(foot.encode())
        try:
            archive.copy(f"{self.folder}/messages.json", self._json)
            archive.copy(f"{self.folder}/index.html", self._html)
        finally:
            self.close()

    def close(self) -> None:
        self._json.close()
        self._html.close()


class _Progress:
    """Reports about every tenth of the work (not per message), and never backwards."""

    def __init__(self, total: int, report: Report) -> None:
        self.total = max(total, 1)
        self.done = 0
        self.report = report
        self.next_mark = 0.1

    async def add(self, amount: int) -> None:
        self.done += amount
        fraction = BUILD_SHARE * min(self.done / self.total, 1.0)
        if fraction >= self.next_mark:
            self.next_mark = (math.floor(fraction * 10) + 1) / 10
            await self.report(fraction)


async def _copy_file(storage: Storage, archive: Archive, name: str, file: FileRecord) -> None:
    entry = await asyncio.to_thread(archive.open_file, name, file.size)
    try:
        async for chunk in storage.read(file.storage_key):
            await asyncio.to_thread(entry.write, chunk)
    finally:
        await asyncio.to_thread(entry.close)


async def build(
    sessions: async_sessionmaker[AsyncSession],
    storage: Storage,
    user_id: int,
    out: IO[bytes],
    workdir: Path,
    report: Report,
) -> None:
    """Write ``user_id``'s archive into ``out``; ``report`` hears the progress (0 .. 0.95).

    Each page is read in a short transaction of its own, so no long-lived snapshot or lock
    is held while files are copied; chats are those the person is in when it starts.
    """
    made = utcnow()
    exported = made.strftime("%Y-%m-%d %H:%M")
    async with sessions() as session:
        user = await service.account(session, user_id)
        profile = UserOut.model_validate(user).model_dump(mode="json")
        chats = await service.my_chats(session, user_id)
        progress = _Progress(await service.count_work(session, [c.id for c in chats]), report)
    archive = await asyncio.to_thread(Archive, out, made)
    readme = _README.format(
        display_name=profile["display_name"],
        username=profile["username"],
        exported=exported,
        chats=len(chats),
    )
    await asyncio.to_thread(archive.text, "README.txt", readme)
    profile_json = json.dumps(profile, ensure_ascii=False, indent=1) + "\n"
    await asyncio.to_thread(archive.text, "account.json", profile_json)
    listed = []
    for chat in chats:
        part = await asyncio.to_thread(ChatPart, chat, workdir, exported)
        try:
            files: list[FileRecord] = []
            after = 0
            while True:
                async with sessions() as session:
                    page = await service.message_page(session, chat.id, after, PAGE)
                if not page:
                    break
                after = page[-1].id
                await asyncio.to_thread(part.add, page)
                files.extend(m.file for m in page if m.file is not None)
                await progress.add(len(page))
            for file in files:
                await _copy_file(storage, archive, f"{part.folder}/{file_name(file)}", file)
                await progress.add(1)
            await asyncio.to_thread(part.finish, archive)
        finally:
            part.close()
        listed.append(
            {
                "name": chat.name,
                "kind": chat.kind,
                "count": part.count,
                "href": f"{part.folder}/index.html",
            }
        )
    index = await asyncio.to_thread(
        _ENV.get_template("index.html").render,
        me=profile,
        chats=listed,
        exported=exported,
        title="Your chats",
    )
    await asyncio.to_thread(archive.text, "index.html", index)
    await asyncio.to_thread(archive.close)
