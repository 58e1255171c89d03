"""HTTP latency benchmark: history pages, the chat list and user search, over loopback.

Not a test: it fills a database with a big chat (100,000 messages by default), a user
with 200 chats and 10,000 users, starts a real `parley serve` process on a free loopback
port, and times sequential requests with httpx, printing p50/p99 per endpoint.

    .venv/bin/python bench/http_bench.py --backend sqlite|mariadb|both [--messages N] [--quick]

Bench data goes straight into the database with SQLAlchemy core (registering 10,000 users
through the API would mostly time argon2); the measured users are real ones, registered
and signed in through the API. The denormalised columns (chats.last_message_id,
chats.last_activity_at, chat_users.last_read_message_id, messages.is_read) are kept as
the server itself would keep them, and so is the message search index
(`message_search`, each message's text folded as the server folds it). Results are also
written to bench/results/.

`--conversations` (issue 12) makes every message of the measured user's chats a
conversation: a reply to an earlier message of its chat, 1-3 emoji reactions from several
members (the reader among them on some, so `me` varies), and a mention of the reader on
about one message of the others' in five (`messages.reacted` set where reactions exist).
It also counts the SQL statements one request of each kind runs, in process, to show that
a page's queries do not grow with its messages.
"""

import argparse
import asyncio
import gc
import json
import os
import platform
import random
import secrets
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import common
import httpx
from common import say
from sqlalchemy import column, event, func, insert, select, table, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from parley.app.factory import create_app
from parley.auth.security import Passwords
from parley.config import Settings
from parley.db.database import create_engine
from parley.db.models import Chat, ChatUser, Mention, Message, Reaction, User
from parley.messages import search_index

PAGE = 50  # the client's page size
OLDER_PAGES = 20  # how far back one walk of ?before= pages goes
INSERT_CHUNK = 5_000
BACKGROUND_MESSAGES_PER_CHAT = 5
UNREAD = 5  # messages the measured user has not read yet in the big chat
READER, WRITER = "bench_reader", "bench_writer"  # the measured user and the big chat's other

# --conversations: what every message of the measured user's chats carries.
EMOJI = (
    "\N{THUMBS UP SIGN}",
    "\N{HEAVY BLACK HEART}\ufe0f",
    "\N{FACE WITH TEARS OF JOY}",
    "\N{PARTY POPPER}",
    "\N{EYES}",
    "\N{PERSON WITH FOLDED HANDS}",
)
MENTION_SHARE = 0.2  # of the others' messages, how many mention the reader
REPLY_REACH = 200  # a reply answers one of the previous this-many messages of its chat

# Targets from the issue (2-core machine).
HISTORY_P50_MS = 10.0
CHATS_P50_MS = 30.0
# "Flat": the p50 at the largest chat is at most FLAT_RATIO times the p50 at the smallest,
# or at most FLAT_SLACK_MS above it (a few-ms p50 moves that much with load alone).
FLAT_RATIO = 1.5
FLAT_SLACK_MS = 2.0

FIRST = (  # noqa: SIM905 (word lists read better as prose)
    "Olivia Liam Emma Noah Ava Oliver Sophia Elijah Isabella Lucas Mia Mason Amelia Logan "
    "Harper Ethan Evelyn James Abigail Aiden Emily Jackson Ella Sebastian Elizabeth Mateo "
    "Camila Jack Luna Owen Sofia Theodore Avery Levi Mila Henry Aria Wyatt Scarlett Asher "
    "Penelope Leo Layla Julian Chloe Grayson Victoria Ezra Madison Hudson"
).split()
LAST = (  # noqa: SIM905 (word lists read better as prose)
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
    "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson "
    "White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott "
    "Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell "
    "Carter Roberts"
).split()
WORDS = (  # noqa: SIM905 (word lists read better as prose)
    "the a meeting tomorrow lunch ok sure thanks see you later deploy build broke fixed "
    "coffee release notes review please ping me when ready sounds good let's do it at "
    "noon friday weekend photo link call now busy back soon great idea why not maybe"
).split()
# Prefix hits, substring hits, a narrow hit and no hit at all (a full scan every time).
SEARCH_QUERIES = ("emma", "son", "martinez12", "liam", "qzx")


# --------------------------------------------------------------------------- sizes


@dataclass(frozen=True)
class Sizes:
    messages: int  # the big chat at its largest
    users: int  # users in the database, for search
    chats: int  # chats of the measured user (the big chat included)
    background_chats: int  # direct chats between other users, so tables are not all ours
    samples: int
    warmup: int

    @property
    def stages(self) -> tuple[int, ...]:
        """Big-chat sizes to measure at: 1%, 10% and 100% (1k, 10k, 100k by default)."""
        return tuple(
            sorted(
                {n for n in (self.messages // 100, self.messages // 10) if n > 0} | {self.messages}
            )
        )

    @classmethod
    def choose(cls, quick: bool, messages: int | None, samples: int | None) -> "Sizes":
        if quick:
            return cls(messages or 2_000, 500, 20, 100, samples or 30, 5)
        return cls(messages or 100_000, 10_000, 200, 2_500, samples or 200, 30)


# --------------------------------------------------------------------------- server


@dataclass(frozen=True)
class Server:
    base_url: str
    pid: int

    def cpu_seconds(self) -> float | None:
        """CPU time the server process has used so far (Linux), to tell its own cost
        from time spent waiting for the CPU on a busy machine."""
        try:
            return common.cpu_seconds(self.pid)
        except OSError:
            return None


@contextmanager
def parley_server(database_url: str, data_dir: Path) -> Iterator[Server]:
    """`parley serve` as a child process (it migrates first)."""
    port = common.free_port()
    env = common.server_env(
        PARLEY_DATABASE_URL=database_url,
        PARLEY_DATA_DIR=str(data_dir),
        PARLEY_LOGIN_ATTEMPTS="100000",
        PARLEY_MESSAGES_PER_WINDOW="1000000",
        PARLEY_MESSAGES_PER_ADDRESS="1000000",
        PARLEY_REGISTRATIONS_PER_ADDRESS="1000000",
        PARLEY_LOG_LEVEL="warning",
        PARLEY_WEB_DIR=str(data_dir / "no-web-client"),
    )
    # cwd=data_dir: no stray .env from the checkout reaches the server.
    proc = common.start_server(
        common.parley_serve(port), env, port, data_dir / "server.log", "parley serve", cwd=data_dir
    )
    try:
        yield Server(f"http://127.0.0.1:{port}", proc.pid)
    finally:
        common.stop(proc)


# --------------------------------------------------------------------------- database


@contextmanager
def bench_database(backend: str, tmp: Path) -> Iterator[str]:
    """A fresh, empty database URL for the backend; a MariaDB database is dropped after."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{(tmp / 'bench.db').as_posix()}"
        return
    name = f"parley_bench_{os.getpid()}_{secrets.token_hex(3)}"
    say(f"creating MariaDB database {name}")
    asyncio.run(_mysql_admin(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"))
    try:
        yield f"{common.MYSQL_SERVER_URL}/{name}"
    finally:
        say(f"dropping MariaDB database {name}")
        asyncio.run(_mysql_admin(f"DROP DATABASE IF EXISTS `{name}`"))


async def _mysql_admin(statement: str) -> None:
    engine = create_engine(common.MYSQL_SERVER_URL + "/")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def database_version(url: str) -> str:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                return f"SQLite {await conn.scalar(text('select sqlite_version()'))}"
            return f"MariaDB/MySQL {await conn.scalar(text('select version()'))}"
    finally:
        await engine.dispose()


async def _insert(conn: AsyncConnection, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(rows), INSERT_CHUNK):
        await conn.execute(insert(model), list(rows[start : start + INSERT_CHUNK]))


async def _index(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    """The search index rows of new messages, as a send writes them: the folded text under
    the message id (FTS5's rowid on SQLite, a column of its own on MySQL)."""
    key = "rowid" if conn.dialect.name == "sqlite" else "message_id"
    index = table(search_index.INDEX, column(key), column("body"))
    await _insert(
        conn,
        index,
        [{key: r["id"], "body": search_index.fold(r["content"])} for r in rows if r["content"]],
    )


async def _store_messages(
    conn: AsyncConnection, rows: list[dict[str, Any]], extras: "Extras | None"
) -> None:
    """Messages, their search index rows and (with --conversations) reactions and mentions."""
    await _insert(conn, Message, rows)
    await _index(conn, rows)
    if extras is not None:
        await _insert(conn, Reaction, extras.reactions)
        await _insert(conn, Mention, extras.mentions)


@dataclass
class Extras:
    """--conversations: what the messages of the measured user's chats carry."""

    me: int
    reactions: list[dict[str, Any]] = field(default_factory=list)
    mentions: list[dict[str, Any]] = field(default_factory=list)

    def converse(
        self,
        row: dict[str, Any],
        earlier: Sequence[int],
        members: Sequence[int],
        rng: random.Random,
    ) -> None:
        """Make ``row`` (a message about to be inserted) a reply to one of ``earlier`` (its
        chat's previous message ids, if any), react to it 1-3 times by several members,
        and on some of the others' messages mention the reader, in its text as a sender
        would and in `message_mentions` as the server stores it."""
        if earlier:
            row["reply_to_id"] = earlier[-rng.randint(1, min(REPLY_REACH, len(earlier)))]
        for emoji in rng.sample(EMOJI, k=rng.randint(1, 3)):
            for user_id in rng.sample(members, k=rng.randint(1, min(3, len(members)))):
                self.reactions.append(
                    {
                        "message_id": row["id"],
                        "user_id": user_id,
                        "emoji": emoji,
                        "created_at": row["created_at"],
                    }
                )
        row["reacted"] = True  # the hint the server sets with the first reaction
        if row["sender_id"] != self.me and rng.random() < MENTION_SHARE:
            row["content"] = f"@{READER} {row['content']}"
            self.mentions.append({"message_id": row["id"], "user_id": self.me})


@dataclass
class ChatPlan:
    id: int
    members: list[int]  # for groups the first one is the owner
    is_group: bool = False
    title: str | None = None
    message_ids: list[int] = field(default_factory=list)
    senders: list[int] = field(default_factory=list)


@dataclass
class BigChat:
    """The chat that grows; the measured user reads it."""

    chat_id: int
    me: int
    other: int
    epoch: datetime  # message n is created at epoch + n seconds: time grows with the id
    next_id: int
    first_id: int = 0
    count: int = 0
    last_id: int = 0

    @property
    def middle_id(self) -> int:
        """An id halfway through the chat: a page far back in the history."""
        return self.first_id + self.count // 2


def _sentence(rng: random.Random) -> str:
    return " ".join(rng.choices(WORDS, k=rng.randint(3, 20))).capitalize()


def _mark_reads(plan: ChatPlan, me: int, rng: random.Random) -> dict[int, int]:
    """Read markers: others have read everything; the measured user leaves a few unread
    in one chat in five. Nobody's marker is behind their own last message (as on send)."""
    markers: dict[int, int] = {}
    ids = plan.message_ids
    for member in plan.members:
        upto = ids[-1] if ids else 0
        if member == me and ids and rng.random() < 0.2:
            unread = rng.randint(1, min(10, len(ids)))
            upto = ids[-unread - 1] if unread < len(ids) else 0
        own = [mid for mid, sender in zip(ids, plan.senders, strict=True) if sender == member]
        markers[member] = max(upto, own[-1] if own else 0)
    return markers


def _message_rows(
    plan: ChatPlan, markers: dict[int, int], epoch: datetime, rng: random.Random
) -> list[dict[str, Any]]:
    return [
        {
            "id": mid,
            "chat_id": plan.id,
            "sender_id": sender,
            "content": _sentence(rng),
            # Read once any member other than the sender has read it.
            "is_read": any(m != sender and mark >= mid for m, mark in markers.items()),
            "created_at": epoch + timedelta(seconds=mid),
            # Every row names every column: one executemany needs them all alike.
            "reply_to_id": None,
            "reacted": False,
        }
        for mid, sender in zip(plan.message_ids, plan.senders, strict=True)
    ]


async def fill_base(
    url: str, sizes: Sizes, me: int, other: int, seed: int, conversations: bool
) -> BigChat:
    """Users, the measured user's chats (the big one still empty) and background chats."""
    rng = random.Random(seed)
    # Conversations draw from their own generator, so the chats, messages and read markers
    # are the same with and without them.
    extras, talk = (Extras(me), random.Random(seed + 1)) if conversations else (None, rng)
    # One real argon2id hash, made as the server makes them, shared by every bulk user.
    settings = Settings(_env_file=None)
    passwords = Passwords(settings.password_time_cost, settings.password_memory_kib)
    password_hash = await passwords.hash(common.PASSWORD)
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            first_user = int(await conn.scalar(select(func.max(User.id))) or 0) + 1
            first_chat = int(await conn.scalar(select(func.max(Chat.id))) or 0) + 1
            first_message = int(await conn.scalar(select(func.max(Message.id))) or 0) + 1
            real_users = int(await conn.scalar(select(func.count()).select_from(User)) or 0)

            # Time grows with the message id, so ids and created_at agree as on a real server.
            small_total = (sizes.chats - 1) * 40 + sizes.background_chats * 5
            epoch = datetime.now(UTC) - timedelta(
                seconds=first_message + small_total + sizes.messages + 86_400
            )

            bulk_ids = list(range(first_user, first_user + sizes.users - real_users))
            user_rows = []
            for n, uid in enumerate(bulk_ids):
                first, last = FIRST[n % len(FIRST)], LAST[(n // len(FIRST)) % len(LAST)]
                username = f"{first}.{last}{n}"
                user_rows.append(
                    {
                        "id": uid,
                        "username": username,
                        "username_key": username.lower(),
                        "email": f"{username}@bench.example",
                        "email_key": f"{username.lower()}@bench.example",
                        "password_hash": password_hash,
                        "display_name": f"{first} {last}",
                        "display_name_key": f"{first} {last}".lower(),
                        "created_at": epoch,
                    }
                )
            say(f"  {len(user_rows):,} users")
            await _insert(conn, User, user_rows)

            # The measured user's chats: the big direct chat, then directs and groups.
            partners = iter(rng.sample(bulk_ids, k=len(bulk_ids)))
            plans = [ChatPlan(first_chat, [me, other])]
            for n in range(1, sizes.chats):
                if n % 4 == 0:
                    group = [next(partners) for _ in range(rng.randint(2, 8))]
                    plans.append(
                        ChatPlan(first_chat + n, [group[0], me, *group[1:]], True, f"Group {n}")
                    )
                else:
                    plans.append(ChatPlan(first_chat + n, [me, next(partners)]))
            background_pool = bulk_ids[: 2 * sizes.background_chats]
            plans += [
                ChatPlan(first_chat + sizes.chats + n, background_pool[2 * n : 2 * n + 2])
                for n in range(len(background_pool) // 2)
            ]

            # Small chats' messages interleave in id order, as they would on a real server.
            slots = [
                plan
                for plan in plans[1:]
                for _ in range(
                    BACKGROUND_MESSAGES_PER_CHAT
                    if me not in plan.members
                    else rng.choice((0, *range(5, 41)))
                )
            ]
            rng.shuffle(slots)
            for offset, plan in enumerate(slots):
                plan.message_ids.append(first_message + offset)
                plan.senders.append(rng.choice(plan.members))

            chat_rows, member_rows, message_rows = [], [], []
            for plan in plans[1:]:
                markers = _mark_reads(plan, me, rng)
                last_id = plan.message_ids[-1] if plan.message_ids else None
                chat_rows.append(
                    {
                        "id": plan.id,
                        "is_group": plan.is_group,
                        "title": plan.title,
                        "direct_key": None
                        if plan.is_group
                        else f"{min(plan.members)}:{max(plan.members)}",
                        "created_at": epoch,
                        "last_message_id": last_id,
                        "last_activity_at": epoch + timedelta(seconds=last_id or 0),
                    }
                )
                member_rows += [
                    {
                        "chat_id": plan.id,
                        "user_id": uid,
                        "role": "owner" if plan.is_group and i == 0 else "member",
                        "joined_at": epoch,
                        "last_read_message_id": markers[uid],
                    }
                    for i, uid in enumerate(plan.members)
                ]
                rows = _message_rows(plan, markers, epoch, rng)
                if extras is not None and me in plan.members:
                    for n, row in enumerate(rows):
                        extras.converse(row, plan.message_ids[:n], plan.members, talk)
                message_rows += rows
            big = plans[0]
            chat_rows.append(
                {
                    "id": big.id,
                    "is_group": False,
                    "title": None,
                    "direct_key": f"{min(me, other)}:{max(me, other)}",
                    "created_at": epoch,
                    "last_message_id": None,
                    "last_activity_at": epoch,
                }
            )
            member_rows += [
                {
                    "chat_id": big.id,
                    "user_id": uid,
                    "role": "member",
                    "joined_at": epoch,
                    "last_read_message_id": 0,
                }
                for uid in big.members
            ]
            say(
                f"  {len(chat_rows):,} chats ({sizes.chats} of the measured user), "
                f"{len(member_rows):,} memberships, {len(message_rows):,} small-chat messages"
            )
            await _insert(conn, Chat, chat_rows)
            await _insert(conn, ChatUser, member_rows)
            await _store_messages(conn, message_rows, extras)
            if extras is not None:
                say(
                    f"  conversations: {len(extras.reactions):,} reactions, "
                    f"{len(extras.mentions):,} mentions of the reader"
                )
            return BigChat(big.id, me, other, epoch, first_message + len(slots))
    finally:
        await engine.dispose()


async def grow_big_chat(
    url: str, big: BigChat, target: int, seed: int, conversations: bool
) -> None:
    """Append messages to the big chat up to `target`, keeping every denormalised column."""
    rng = random.Random(seed + target)
    ids = list(range(big.next_id, big.next_id + target - big.count))
    # The other side wrote the last UNREAD messages and the reader has not read them yet:
    # the chat list has to count them, in the biggest chat.
    senders = [
        big.other if n >= len(ids) - UNREAD else rng.choice((big.me, big.other))
        for n in range(len(ids))
    ]
    last_id = ids[-1]
    my_mark = ids[-UNREAD - 1] if len(ids) > UNREAD else big.last_id
    rows: list[dict[str, Any]] = [
        {
            "id": mid,
            "chat_id": big.chat_id,
            "sender_id": sender,
            "content": _sentence(rng),
            "is_read": sender == big.me or mid <= my_mark,  # the other side read everything
            "created_at": big.epoch + timedelta(seconds=mid),
            "reply_to_id": None,
            "reacted": False,
        }
        for mid, sender in zip(ids, senders, strict=True)
    ]
    extras = None
    if conversations:
        extras, talk = Extras(big.me), random.Random(seed + target + 1)
        first = big.first_id or ids[0]
        for row in rows:
            extras.converse(row, range(first, row["id"]), (big.me, big.other), talk)
        say(f"  {len(extras.reactions):,} reactions, {len(extras.mentions):,} mentions")
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await _store_messages(conn, rows, extras)
            await conn.execute(
                update(Chat)
                .where(Chat.id == big.chat_id)
                .values(
                    last_message_id=last_id,
                    last_activity_at=big.epoch + timedelta(seconds=last_id),
                )
            )
            for uid, mark in ((big.me, my_mark), (big.other, last_id)):
                await conn.execute(
                    update(ChatUser)
                    .where(ChatUser.chat_id == big.chat_id, ChatUser.user_id == uid)
                    .values(last_read_message_id=mark)
                )
            # What the reader was behind on last stage is read now.
            await conn.execute(
                update(Message)
                .where(
                    Message.chat_id == big.chat_id,
                    Message.id <= my_mark,
                    Message.sender_id != big.me,
                    Message.is_read.is_(False),
                )
                .values(is_read=True)
            )
    finally:
        await engine.dispose()
    big.first_id = big.first_id or ids[0]
    big.next_id, big.count, big.last_id = last_id + 1, target, last_id


# --------------------------------------------------------------------------- measuring


@dataclass
class Result:
    what: str
    backend: str
    chat_messages: int
    n: int
    p50_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    # Server process CPU per request (its database thread included, MariaDB's own not):
    # unlike wall time, it does not grow when other work competes for the 2 cores.
    server_cpu_ms: float | None
    # 1-minute load average after the series: other work on the machine skews wall times.
    load_1m: float


def summarise(
    what: str, backend: str, size: int, samples: list[float], cpu_ms: float | None
) -> Result:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return Result(
        what,
        backend,
        size,
        len(samples),
        round(cuts[49], 2),
        round(cuts[98], 2),
        round(statistics.fmean(samples), 2),
        round(max(samples), 2),
        None if cpu_ms is None else round(cpu_ms, 2),
        round(os.getloadavg()[0], 2),
    )


def timed(
    request: Callable[[], httpx.Response],
    samples: int,
    warmup: int,
    check: Callable[[httpx.Response], None],
) -> list[float]:
    """Sequential requests; warm-up ones are not kept. Returns milliseconds.

    Only `request` is timed; `check` (status, cursor bookkeeping) runs after the clock stops.
    """
    for _ in range(warmup):
        check(request())
    gc.collect()
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        response = request()
        times.append((time.perf_counter() - start) * 1000)
        check(response)
    return times


def ok(response: httpx.Response) -> None:
    if response.status_code != 200:
        raise RuntimeError(f"{response.request.url} -> {response.status_code}: {response.text}")


def register(client: httpx.Client, username: str) -> int:
    body = {"username": username, "email": f"{username}@bench.example", "password": common.PASSWORD}
    response = client.post("/auth/register", json=body)
    if response.status_code != 201:
        raise RuntimeError(f"register {username}: {response.status_code} {response.text}")
    return int(response.json()["id"])


def sign_in(client: httpx.Client, username: str) -> None:
    """A fresh access token for every stage, so none expires mid-run."""
    response = client.post("/auth/login", json={"username": username, "password": common.PASSWORD})
    ok(response)
    client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"


def measure_stage(
    client: httpx.Client,
    server: Server,
    backend: str,
    big: BigChat,
    sizes: Sizes,
    with_search: bool,
    conversations: bool,
) -> list[Result]:
    history = f"/chats/{big.chat_id}/messages"
    newest = client.get(history, params={"limit": PAGE})
    ok(newest)
    page = newest.json()
    if len(page) != min(PAGE, big.count) or page[-1]["id"] != big.last_id:
        raise RuntimeError("newest page is not the newest messages")
    chats = client.get("/chats")
    ok(chats)
    listed = chats.json()
    if (
        len(listed) != sizes.chats
        or listed[0]["id"] != big.chat_id
        or listed[0]["unread_count"] != min(UNREAD, big.count)
    ):
        raise RuntimeError("GET /chats does not list the measured user's chats as expected")
    if conversations:
        check_conversations(page, [c["last_message"] for c in listed if c["last_message"]], big)
    results = []

    def run(
        what: str,
        request: Callable[[], httpx.Response],
        check: Callable[[httpx.Response], None] = ok,
    ) -> None:
        say(f"  measuring {what}: {sizes.warmup} warm-up + {sizes.samples} requests")
        cpu_before = server.cpu_seconds()
        times = timed(request, sizes.samples, sizes.warmup, check)
        cpu_after = server.cpu_seconds()
        cpu_ms = (
            None
            if cpu_before is None or cpu_after is None
            else (cpu_after - cpu_before) * 1000 / (sizes.samples + sizes.warmup)
        )
        results.append(summarise(what, backend, big.count, times, cpu_ms))

    run("history newest page", lambda: client.get(history, params={"limit": PAGE}))

    # Walk back OLDER_PAGES pages from the newest one, then start again.
    walk = {"cursor": page[0]["id"], "pages": 0}

    def step_back(response: httpx.Response) -> None:
        ok(response)
        got = response.json()
        walk["pages"] += 1
        if walk["pages"] >= OLDER_PAGES or len(got) < PAGE:
            walk["cursor"], walk["pages"] = page[0]["id"], 0
        else:
            walk["cursor"] = got[0]["id"]

    run(
        f"history older pages (?before=, {OLDER_PAGES} back)",
        lambda: client.get(history, params={"limit": PAGE, "before": walk["cursor"]}),
        step_back,
    )
    run(
        "history deep page (?before= mid-chat)",
        lambda: client.get(history, params={"limit": PAGE, "before": big.middle_id}),
    )
    run(f"GET /chats ({sizes.chats} chats)", lambda: client.get("/chats"))
    if with_search:
        queries = iter(SEARCH_QUERIES * (sizes.samples + sizes.warmup))
        run(
            f"user search ({sizes.users:,} users)",
            lambda: client.get("/users/search", params={"q": next(queries)}),
        )
    return results


def check_conversations(
    page: list[dict[str, Any]], last_messages: list[dict[str, Any]], big: BigChat
) -> None:
    """With --conversations, what the timed requests answer really carries it all."""
    for message in page + last_messages:
        if not message["reactions"]:
            raise RuntimeError(f"message {message['id']} came without its reactions")
        # Only the first message of a chat has nothing earlier to answer, and no chat's
        # last message is its first (the small chats have 0 or 5-40 messages).
        if message["reply_to"] is None and message["id"] != big.first_id:
            raise RuntimeError(f"message {message['id']} came without its reply preview")
    if not any(r["me"] for m in page for r in m["reactions"]):
        raise RuntimeError("the reader's own reactions are not marked `me`")
    for message in page + last_messages:
        if message["content"].startswith(f"@{READER} ") and message["mentions"] != [big.me]:
            raise RuntimeError(f"message {message['id']} came without its mention of the reader")


# --------------------------------------------------------------------------- statements


async def count_statements(
    url: str, data_dir: Path, token: str, chat_id: int, cursor: int
) -> dict[str, int]:
    """SQL statements one request of each kind runs, counted on a second, in-process app
    over the same database (the served one has no statement counter): the figure that
    shows a page's queries do not grow with what its messages carry."""
    settings = Settings(
        _env_file=None,
        database_url=url,
        data_dir=data_dir,  # the served node's kept signing key: the reader's token works
        web_dir=data_dir / "no-web-client",
    )
    app = create_app(settings)
    statements = 0

    def counted(*_: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(app.state.parley.engine.sync_engine, "before_cursor_execute", counted)
    history = f"/chats/{chat_id}/messages"
    requests = {
        "history newest page": (history, {"limit": PAGE}),
        "history older page": (history, {"limit": PAGE, "before": cursor}),
        "GET /chats": ("/chats", {}),
    }
    counts = {}
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://bench",
            headers={"Authorization": f"Bearer {token}"},
        ) as client,
    ):
        for what, (path, params) in requests.items():
            ok(await client.get(path, params=params))  # warm: connections, caches
            statements = 0
            ok(await client.get(path, params=params))
            counts[what] = statements
    return counts


# --------------------------------------------------------------------------- reporting


def check_targets(results: list[Result]) -> list[dict[str, Any]]:
    def p50s(prefix: str) -> list[Result]:
        return sorted(
            (r for r in results if r.what.startswith(prefix)), key=lambda r: r.chat_messages
        )

    verdicts: list[dict[str, Any]] = []
    for prefix, limit in (
        ("history newest", HISTORY_P50_MS),
        ("history older", HISTORY_P50_MS),
        ("history deep", HISTORY_P50_MS),
        ("GET /chats", CHATS_P50_MS),
    ):
        rows = p50s(prefix)
        if not rows:
            continue
        worst = max(rows, key=lambda r: r.p50_ms)
        verdicts.append(
            {
                "target": f"{prefix} p50 < {limit:g} ms",
                "met": worst.p50_ms < limit,
                "detail": f"worst p50 {worst.p50_ms} ms at {worst.chat_messages:,} messages",
            }
        )
        if len(rows) > 1:
            small, large = rows[0], rows[-1]
            ratio = large.p50_ms / small.p50_ms
            verdicts.append(
                {
                    "target": f"{prefix} flat {small.chat_messages:,} -> {large.chat_messages:,} "
                    f"(p50 x{FLAT_RATIO:g} or +{FLAT_SLACK_MS:g} ms at most)",
                    "met": ratio <= FLAT_RATIO or large.p50_ms - small.p50_ms <= FLAT_SLACK_MS,
                    "detail": f"p50 {small.p50_ms} -> {large.p50_ms} ms (x{ratio:.2f})",
                }
            )
    return verdicts


def print_table(results: list[Result]) -> None:
    header = (
        f"{'what':<44} {'backend':<8} {'messages':>9} {'n':>5} {'p50 ms':>8} {'p99 ms':>8}"
        f" {'srv cpu':>8} {'load':>5}"
    )
    print("\n" + header + "\n" + "-" * len(header))
    for r in results:
        cpu = "-" if r.server_cpu_ms is None else f"{r.server_cpu_ms:.2f}"
        print(
            f"{r.what:<44} {r.backend:<8} {r.chat_messages:>9,} {r.n:>5} "
            f"{r.p50_ms:>8.2f} {r.p99_ms:>8.2f} {cpu:>8} {r.load_1m:>5.2f}"
        )
    print(flush=True)


def print_targets(backend: str, verdicts: list[dict[str, Any]]) -> None:
    for v in verdicts:
        print(f"  [{backend}] {'MET   ' if v['met'] else 'MISSED'} {v['target']}: {v['detail']}")
    print(flush=True)


def markdown_report(paths: Sequence[Path]) -> str:
    """The saved results as a Markdown table, backends side by side (for the README)."""
    runs = [json.loads(path.read_text()) for path in paths if path.is_file()]
    if not runs:
        raise SystemExit("no results yet: run the benchmark first")
    backends = [run["backend"] for run in runs]
    rows: dict[tuple[str, int], dict[str, dict[str, Any]]] = {}
    for run in runs:
        for r in run["results"]:
            rows.setdefault((r["what"], r["chat_messages"]), {})[run["backend"]] = r
    head = ["what", "chat size"] + [
        f"{b} {col}" for b in backends for col in ("p50 ms", "p99 ms", "server CPU ms")
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for (what, size), by_backend in rows.items():
        cells = [what, f"{size:,}"]
        for b in backends:
            r = by_backend.get(b)
            cpu = None if r is None else r["server_cpu_ms"]
            cells += (
                ["-"] * 3
                if r is None
                else [
                    f"{r['p50_ms']:.1f}",
                    f"{r['p99_ms']:.1f}",
                    "-" if cpu is None else f"{cpu:.1f}",
                ]
            )
        lines.append("| " + " | ".join(cells) + " |")
    for run in runs:
        lines.append("")
        lines.append(f"{run['backend']} ({run['database']}, {run['generated_at']}):")
        lines += [
            f"- {'met' if v['met'] else '**missed**'}: {v['target']} ({v['detail']})"
            for v in run["targets"]
        ]
    return "\n".join(lines)


def write_json(path: Path, payload: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(payload, indent=2) + "\n")
    tmp.replace(path)


# --------------------------------------------------------------------------- main


def results_path(backend: str, suffix: str) -> Path:
    return common.RESULTS_DIR / f"http-{backend}{suffix}.json"


def run_backend(
    backend: str, sizes: Sizes, seed: int, suffix: str, conversations: bool
) -> list[Result]:
    say(
        f"=== {backend}: {sizes.messages:,}-message chat, {sizes.chats} chats, "
        f"{sizes.users:,} users, stages {', '.join(f'{s:,}' for s in sizes.stages)}"
        + (", conversations on every message" if conversations else "")
    )
    results: list[Result] = []
    statements: dict[str, int] = {}
    with (
        tempfile.TemporaryDirectory(prefix="parley-bench-") as tmp_name,
        bench_database(backend, Path(tmp_name)) as url,
    ):
        tmp = Path(tmp_name)
        say(f"starting parley serve ({backend}), which migrates the empty database")
        with (
            parley_server(url, tmp) as server,
            httpx.Client(base_url=server.base_url, timeout=30) as client,
        ):
            say(f"server up at {server.base_url} (pid {server.pid})")
            say("registering the measured users through the API")
            me = register(client, READER)
            other = register(client, WRITER)
            started = time.monotonic()
            say("filling the database directly (SQLAlchemy core)")
            big = asyncio.run(fill_base(url, sizes, me, other, seed, conversations))
            say(f"  done in {time.monotonic() - started:.1f} s")
            for stage in sizes.stages:
                started = time.monotonic()
                say(f"filling: growing the big chat to {stage:,} messages")
                asyncio.run(grow_big_chat(url, big, stage, seed, conversations))
                say(f"  done in {time.monotonic() - started:.1f} s; measuring over HTTP")
                sign_in(client, READER)
                last = stage == sizes.stages[-1]
                results += measure_stage(client, server, backend, big, sizes, last, conversations)
            say("counting the SQL statements of one request of each kind (in process)")
            token = client.headers["Authorization"].removeprefix("Bearer ")
            statements = asyncio.run(
                count_statements(url, tmp, token, big.chat_id, big.last_id - PAGE + 1)
            )
            say("  " + ", ".join(f"{what}: {n}" for what, n in statements.items()))
            version = asyncio.run(database_version(url))
        say("server stopped")
    verdicts = check_targets(results)
    print_table(results)
    print_targets(backend, verdicts)
    path = results_path(backend, suffix)
    write_json(
        path,
        {
            "benchmark": "http",
            "backend": backend,
            "database": version,
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
                "python": platform.python_version(),
                "sqlite_library": sqlite3.sqlite_version,
            },
            "sizes": {
                **asdict(sizes),
                "stages": list(sizes.stages),
                "page": PAGE,
                "older_pages": OLDER_PAGES,
            },
            "conversations": conversations,
            # SQL statements of one request (auth included), at the largest chat size.
            "statements_per_request": statements,
            "results": [asdict(r) for r in results],
            "targets": verdicts,
        },
    )
    say(f"wrote {path.relative_to(common.BENCH_DIR.parent)}")
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--backend", choices=("sqlite", "mariadb", "both"), default="both")
    parser.add_argument("--messages", type=int, help="big chat size (default 100,000)")
    parser.add_argument("--samples", type=int, help="timed requests per row (default 200)")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--conversations",
        action="store_true",
        help="a reply, 1-3 reactions and on some a mention on every message of the reader's "
        "chats (issue 12); results go to http-<backend>-conversations.json",
    )
    parser.add_argument(
        "--label",
        help="appended to the results' file name (http-<backend>[-conversations]-LABEL.json), "
        "e.g. to keep a comparison run from overwriting the saved results",
    )
    parser.add_argument(
        "--report", action="store_true", help="print the saved results as Markdown, run nothing"
    )
    args = parser.parse_args(argv)
    if args.label is not None and not args.label.replace("-", "").isalnum():
        parser.error("--label may hold letters, digits and '-' only")
    suffix = (
        ("-conversations" if args.conversations else "")
        + (f"-{args.label}" if args.label else "")
        + ("-quick" if args.quick else "")
    )
    if args.report:
        print(markdown_report([results_path(b, suffix) for b in ("sqlite", "mariadb")]))
        return
    if args.messages is not None and args.messages < 1:
        parser.error("--messages must be positive")
    sizes = Sizes.choose(args.quick, args.messages, args.samples)
    backends = ("sqlite", "mariadb") if args.backend == "both" else (args.backend,)
    results: list[Result] = []
    for backend in backends:
        results += run_backend(backend, sizes, args.seed, suffix, args.conversations)
    if len(backends) > 1:
        print_table(results)


if __name__ == "__main__":
    main()
