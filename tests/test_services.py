"""The domain rules, called directly on a real database: no HTTP, no sockets, no events.

Each call runs in its own unit of work (commit on success, roll back on error), as the
actions run them, and every outcome is checked twice: in what the service returns and in
the rows it left behind. Runs on SQLite and MariaDB, like the black-box tests.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from parley.attachments.links import Links
from parley.auth.schemas import RegisterIn
from parley.auth.security import Auth, Passwords
from parley.auth.service import register
from parley.chats import service as chats
from parley.chats.schemas import ChatOut
from parley.chats.service import Views
from parley.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from parley.core.events import Event
from parley.core.unit_of_work import UnitsOfWork
from parley.db.database import create_engine, create_sessionmaker
from parley.db.models import Attachment, Chat, ChatUser, Message, User
from parley.membership import service as membership
from parley.messages import service as messages
from tests.support import empty_tables

T = TypeVar("T")

LINKS = Links.from_secret("k" * 40, 3600)
VIEWS = Views(online=frozenset(), links=LINKS)
MAX_MEMBERS = 5
MISSING = 10**9  # an id no row has


@dataclass
class Db:
    """Units of work on the test database, and plain reads of what they left behind."""

    units: UnitsOfWork
    published: list[Event] = field(default_factory=list)

    async def run(self, rule: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """``rule(session, *args, **kwargs)`` in a unit of work of its own."""
        async with self.units.begin() as session:
            return await rule(session, *args, **kwargs)

    async def people(self, *names: str) -> list[User]:
        async with self.units.begin() as session:
            made = [
                User(
                    username=name,
                    username_key=name.lower(),
                    email=f"{name}@example.com",
                    email_key=f"{name.lower()}@example.com",
                    password_hash="not-a-hash",
                    display_name=name.title(),
                    display_name_key=name.lower(),
                )
                for name in names
            ]
            session.add_all(made)
            await session.flush()
        return made

    async def read(self, query: Callable[[AsyncSession], Awaitable[T]]) -> T:
        async with self.units.sessionmaker() as session:
            return await query(session)

    async def roles(self, chat_id: int) -> dict[int, str]:
        async def query(session: AsyncSession) -> dict[int, str]:
            rows = await session.execute(
                select(ChatUser.user_id, ChatUser.role).where(ChatUser.chat_id == chat_id)
            )
            return {user_id: role for user_id, role in rows.all()}

        return await self.read(query)

    async def title(self, chat_id: int) -> str | None:
        return await self.read(lambda s: s.scalar(select(Chat.title).where(Chat.id == chat_id)))

    async def count(self, model: Any, *where: Any) -> int:
        async def query(session: AsyncSession) -> int:
            rows = await session.execute(select(func.count()).select_from(model).where(*where))
            return int(rows.scalar_one())

        return await self.read(query)

    async def marker(self, chat_id: int, user_id: int) -> int:
        async def query(session: AsyncSession) -> int:
            rows = await session.execute(
                select(ChatUser.last_read_message_id).where(
                    ChatUser.chat_id == chat_id, ChatUser.user_id == user_id
                )
            )
            return int(rows.scalar_one())

        return await self.read(query)

    async def read_flags(self, chat_id: int) -> dict[int, bool]:
        async def query(session: AsyncSession) -> dict[int, bool]:
            rows = await session.execute(
                select(Message.id, Message.is_read).where(Message.chat_id == chat_id)
            )
            return {message_id: bool(is_read) for message_id, is_read in rows.all()}

        return await self.read(query)

    async def last_message_id(self, chat_id: int) -> int | None:
        return await self.read(
            lambda s: s.scalar(select(Chat.last_message_id).where(Chat.id == chat_id))
        )

    async def set_joined(self, chat_id: int, user_id: int, when: datetime) -> None:
        async with self.units.begin() as session:
            await session.execute(
                update(ChatUser)
                .where(ChatUser.chat_id == chat_id, ChatUser.user_id == user_id)
                .values(joined_at=when)
            )


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Db]:
    await empty_tables(database_url)
    engine = create_engine(database_url)
    published: list[Event] = []

    async def publish(event: Event) -> None:
        published.append(event)

    try:
        yield Db(UnitsOfWork(create_sessionmaker(engine), publish), published)
    finally:
        await engine.dispose()


def roles_in(view: ChatOut) -> dict[int, str]:
    return {member.user.id: member.role for member in view.members}


async def group(db: Db, owner: User, *members: User, title: str = "Team") -> ChatOut:
    return await db.run(
        chats.create_group, owner, title, [m.id for m in members], VIEWS, MAX_MEMBERS
    )


async def direct(db: Db, me: User, other: User) -> ChatOut:
    view, _ = await db.run(chats.create_direct, me, other.id, VIEWS)
    return view


async def say(db: Db, sender: User, chat_id: int, content: str, **kw: Any) -> messages.Sent:
    return await db.run(messages.send, LINKS, sender.id, chat_id, content, **kw)


# --- membership -------------------------------------------------------------------------


async def test_require_member_is_not_found_for_strangers_and_missing_chats(db: Db) -> None:
    alice, bob, carol = await db.people("alice", "bob", "carol")
    chat = await group(db, alice, bob)

    mine = await db.run(membership.require_member, chat.id, bob.id)
    assert (mine.chat_id, mine.user_id, mine.role) == (chat.id, bob.id, "member")

    with pytest.raises(NotFound) as stranger:
        await db.run(membership.require_member, chat.id, carol.id)
    with pytest.raises(NotFound) as missing:
        await db.run(membership.require_member, MISSING, alice.id)
    # Nothing tells a stranger that the chat exists.
    assert stranger.value.detail == missing.value.detail == membership.CHAT_NOT_FOUND


async def test_member_ids_and_contacts(db: Db) -> None:
    alice, bob, carol, dave, erin = await db.people("alice", "bob", "carol", "dave", "erin")
    team = await group(db, alice, bob, carol)
    pair = await direct(db, bob, dave)

    assert await db.run(membership.member_ids, team.id) == {alice.id, bob.id, carol.id}
    assert await db.run(membership.member_ids, pair.id) == {bob.id, dave.id}
    assert await db.run(membership.member_ids, MISSING) == frozenset()

    assert await db.run(membership.contacts, alice.id) == {alice.id, bob.id, carol.id}
    assert await db.run(membership.contacts, bob.id) == {alice.id, bob.id, carol.id, dave.id}
    assert await db.run(membership.contacts, dave.id) == {bob.id, dave.id}
    # Someone in no chat knows only themselves.
    assert await db.run(membership.contacts, erin.id) == {erin.id}


# --- chats and roles --------------------------------------------------------------------


async def test_group_creator_is_owner_and_the_rest_members(db: Db) -> None:
    alice, bob, carol = await db.people("alice", "bob", "carol")
    # The creator named among the members, and a name twice, still make one membership each.
    view = await db.run(
        chats.create_group, alice, "Team", [bob.id, alice.id, carol.id, bob.id], VIEWS, 5
    )
    expected = {alice.id: "owner", bob.id: "member", carol.id: "member"}
    assert view.is_group and view.title == "Team"
    assert roles_in(view) == expected
    assert await db.roles(view.id) == expected
    assert await db.title(view.id) == "Team"
    # The services record no events: that is what the actions add.
    assert db.published == []


async def test_group_size_and_unknown_members_are_refused(db: Db) -> None:
    alice, *others = await db.people("alice", "bob", "carol", "dave", "erin", "frank")
    with pytest.raises(InvalidInput):
        await db.run(chats.create_group, alice, "Crowd", [u.id for u in others], VIEWS, MAX_MEMBERS)
    with pytest.raises(NotFound):
        await db.run(chats.create_group, alice, "Ghosts", [MISSING], VIEWS, MAX_MEMBERS)
    assert await db.count(Chat) == 0
    assert await db.count(ChatUser) == 0


async def test_only_owner_and_admins_rename_and_add(db: Db) -> None:
    owner, admin, member, newcomer, late, stranger = await db.people(
        "owner", "admin", "member", "newcomer", "late", "stranger"
    )
    chat = await group(db, owner, member)
    await db.run(chats.add_member, owner, chat.id, admin.id, "admin", VIEWS, MAX_MEMBERS)

    with pytest.raises(Forbidden):
        await db.run(chats.rename, member, chat.id, "Mine now", VIEWS)
    with pytest.raises(Forbidden):
        await db.run(chats.add_member, member, chat.id, newcomer.id, "member", VIEWS, 5)
    with pytest.raises(NotFound):
        await db.run(chats.rename, stranger, chat.id, "Hello?", VIEWS)
    assert await db.title(chat.id) == "Team"
    assert set(await db.roles(chat.id)) == {owner.id, admin.id, member.id}

    renamed = await db.run(chats.rename, owner, chat.id, "Owners' pick", VIEWS)
    assert renamed.title == "Owners' pick" == await db.title(chat.id)
    renamed = await db.run(chats.rename, admin, chat.id, "Admins' pick", VIEWS)
    assert renamed.title == "Admins' pick" == await db.title(chat.id)

    added = await db.run(chats.add_member, admin, chat.id, newcomer.id, "member", VIEWS, 5)
    assert roles_in(added)[newcomer.id] == "member"
    assert (await db.roles(chat.id))[newcomer.id] == "member"

    # Five is the limit here: a sixth member is refused, whoever asks.
    with pytest.raises(InvalidInput):
        await db.run(chats.add_member, owner, chat.id, late.id, "member", VIEWS, 4)
    assert late.id not in await db.roles(chat.id)


async def test_admins_may_not_add_admins(db: Db) -> None:
    owner, admin, carol, dave = await db.people("owner", "admin", "carol", "dave")
    chat = await group(db, owner)
    await db.run(chats.add_member, owner, chat.id, admin.id, "admin", VIEWS, MAX_MEMBERS)

    with pytest.raises(Forbidden):
        await db.run(chats.add_member, admin, chat.id, carol.id, "admin", VIEWS, MAX_MEMBERS)
    assert carol.id not in await db.roles(chat.id)

    view = await db.run(chats.add_member, owner, chat.id, dave.id, "admin", VIEWS, MAX_MEMBERS)
    assert roles_in(view)[dave.id] == "admin"
    assert await db.roles(chat.id) == {owner.id: "owner", admin.id: "admin", dave.id: "admin"}


async def test_admins_remove_only_members_and_anyone_may_leave(db: Db) -> None:
    owner, admin, admin2, member, member2, stranger = await db.people(
        "owner", "admin", "admin2", "member", "member2", "stranger"
    )
    chat = await group(db, owner, member, member2)
    for who in (admin, admin2):
        await db.run(chats.add_member, owner, chat.id, who.id, "admin", VIEWS, MAX_MEMBERS)
    everyone = {owner.id, admin.id, admin2.id, member.id, member2.id}

    refused = [(admin, admin2), (admin, owner), (member, member2), (member, admin)]
    for me, target in refused:
        with pytest.raises(Forbidden):
            await db.run(chats.remove_member, me, chat.id, target.id)
    with pytest.raises(NotFound):
        await db.run(chats.remove_member, stranger, chat.id, member.id)
    assert set(await db.roles(chat.id)) == everyone

    # Those told are the members before the removal, the removed one included.
    told = await db.run(chats.remove_member, admin, chat.id, member.id)
    assert told == everyone
    assert set(await db.roles(chat.id)) == everyone - {member.id}
    with pytest.raises(NotFound):
        await db.run(chats.remove_member, owner, chat.id, member.id)

    assert await db.run(chats.remove_member, owner, chat.id, admin2.id) == everyone - {member.id}
    # A plain member may leave.
    await db.run(chats.remove_member, member2, chat.id, member2.id)
    assert await db.roles(chat.id) == {owner.id: "owner", admin.id: "admin"}


async def test_owner_leaving_hands_ownership_to_longest_serving_admin_else_member(
    db: Db,
) -> None:
    # Created so that user ids run against seniority: the order must come from joined_at.
    owner, admin_late, admin_early, member_late, member_early = await db.people(
        "owner", "admin_late", "admin_early", "member_late", "member_early"
    )
    chat = await group(db, owner, member_late, member_early)
    for who in (admin_late, admin_early):
        await db.run(chats.add_member, owner, chat.id, who.id, "admin", VIEWS, MAX_MEMBERS)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    seniority = [owner, member_early, member_late, admin_early, admin_late]
    for rank, who in enumerate(seniority):
        await db.set_joined(chat.id, who.id, start + timedelta(days=rank))

    # The longest-serving admin wins over members who joined earlier still.
    await db.run(chats.remove_member, owner, chat.id, owner.id)
    assert await db.roles(chat.id) == {
        admin_early.id: "owner",
        admin_late.id: "admin",
        member_early.id: "member",
        member_late.id: "member",
    }
    await db.run(chats.remove_member, admin_early, chat.id, admin_early.id)
    assert (await db.roles(chat.id))[admin_late.id] == "owner"
    # No admin left: the longest-serving member.
    await db.run(chats.remove_member, admin_late, chat.id, admin_late.id)
    assert await db.roles(chat.id) == {member_early.id: "owner", member_late.id: "member"}
    # An admin leaving hands nothing over.
    await db.run(chats.add_member, member_early, chat.id, admin_late.id, "admin", VIEWS, 5)
    await db.run(chats.remove_member, admin_late, chat.id, admin_late.id)
    assert await db.roles(chat.id) == {member_early.id: "owner", member_late.id: "member"}
    await db.run(chats.remove_member, member_early, chat.id, member_early.id)
    await db.run(chats.remove_member, member_late, chat.id, member_late.id)
    assert await db.roles(chat.id) == {}


async def test_direct_chats_refuse_member_changes(db: Db) -> None:
    alice, bob, carol = await db.people("alice", "bob", "carol")
    chat = await direct(db, alice, bob)

    with pytest.raises(Forbidden):
        await db.run(chats.rename, alice, chat.id, "Us", VIEWS)
    with pytest.raises(Forbidden):
        await db.run(chats.add_member, alice, chat.id, carol.id, "member", VIEWS, MAX_MEMBERS)
    with pytest.raises(Forbidden):
        await db.run(chats.remove_member, alice, chat.id, bob.id)
    with pytest.raises(Forbidden):
        await db.run(chats.remove_member, bob, chat.id, bob.id)
    with pytest.raises(NotFound):
        await db.run(chats.rename, carol, chat.id, "Them", VIEWS)

    assert await db.roles(chat.id) == {alice.id: "member", bob.id: "member"}
    assert await db.title(chat.id) is None


async def test_adding_an_existing_member_is_a_conflict(db: Db) -> None:
    owner, bob = await db.people("owner", "bob")
    chat = await group(db, owner, bob)

    with pytest.raises(Conflict):
        await db.run(chats.add_member, owner, chat.id, bob.id, "member", VIEWS, MAX_MEMBERS)
    with pytest.raises(Conflict):
        await db.run(chats.add_member, owner, chat.id, owner.id, "admin", VIEWS, MAX_MEMBERS)
    with pytest.raises(NotFound):
        await db.run(chats.add_member, owner, chat.id, MISSING, "member", VIEWS, MAX_MEMBERS)
    # Nothing changed: not even the role the repeat asked for.
    assert await db.roles(chat.id) == {owner.id: "owner", bob.id: "member"}


async def test_a_direct_chat_is_created_once(db: Db) -> None:
    alice, bob, carol = await db.people("alice", "bob", "carol")

    first, created = await db.run(chats.create_direct, alice, bob.id, VIEWS)
    assert created is True
    assert not first.is_group and first.title is None
    assert roles_in(first) == {alice.id: "member", bob.id: "member"}

    again, created = await db.run(chats.create_direct, alice, bob.id, VIEWS)
    assert (again.id, created) == (first.id, False)
    reverse, created = await db.run(chats.create_direct, bob, alice.id, VIEWS)
    assert (reverse.id, created) == (first.id, False)
    assert await db.count(Chat) == 1
    assert await db.count(ChatUser) == 2

    with pytest.raises(InvalidInput):
        await db.run(chats.create_direct, alice, alice.id, VIEWS)
    with pytest.raises(NotFound):
        await db.run(chats.create_direct, alice, MISSING, VIEWS)
    assert await db.count(Chat) == 1

    other, created = await db.run(chats.create_direct, carol, alice.id, VIEWS)
    assert created is True and other.id != first.id
    assert await db.count(Chat) == 2


async def test_registered_users_start_chats(db: Db) -> None:
    """Users made by the sign-up rule, not by hand, are what the chat rules expect."""
    auth = Auth(Passwords(1, 8 * 1024), "k" * 40, 15, 30)
    alice = await db.run(
        register,
        auth,
        RegisterIn(username="Alice", email="alice@example.com", password="x" * 8),
        "open",
    )
    bob = await db.run(
        register,
        auth,
        RegisterIn(username="bob", email="bob@example.com", password="y" * 8),
        "open",
    )
    view, created = await db.run(chats.create_direct, alice, bob.id, VIEWS)
    assert created
    assert {m.user.username for m in view.members} == {"Alice", "bob"}
    assert await db.count(User, User.username_key == "alice") == 1


# --- sending -----------------------------------------------------------------------------


async def test_send_with_a_client_id_stores_one_message(db: Db) -> None:
    alice, bob = await db.people("alice", "bob")
    chat = await direct(db, alice, bob)

    first = await say(db, alice, chat.id, "hello", client_id="c-1")
    assert first.created is True and first.others_read is False
    assert (first.message.content, first.message.client_id) == ("hello", "c-1")
    assert (first.message.chat_id, first.message.sender_id) == (chat.id, alice.id)

    # A retry, even with other words, gets the original back and stores nothing.
    repeat = await say(db, alice, chat.id, "hello again", client_id="c-1")
    assert repeat.created is False and repeat.others_read is False
    assert repeat.message.id == first.message.id
    assert repeat.message.content == "hello"
    assert await db.count(Message) == 1
    assert await db.last_message_id(chat.id) == first.message.id

    # client_ids are per sender: someone else may use the same one.
    theirs = await say(db, bob, chat.id, "hi", client_id="c-1")
    assert theirs.created is True and theirs.message.id != first.message.id
    assert await db.count(Message) == 2


async def test_a_client_id_reused_in_another_chat_is_a_conflict(db: Db) -> None:
    alice, bob, carol = await db.people("alice", "bob", "carol")
    one = await direct(db, alice, bob)
    two = await direct(db, alice, carol)
    sent = await say(db, alice, one.id, "to bob", client_id="same")

    with pytest.raises(Conflict):
        await say(db, alice, two.id, "to carol", client_id="same")
    assert await db.count(Message) == 1
    assert await db.count(Message, Message.chat_id == two.id) == 0
    assert await db.last_message_id(two.id) is None
    assert await db.last_message_id(one.id) == sent.message.id


async def test_send_is_not_found_for_non_members_and_missing_chats(db: Db) -> None:
    alice, bob, carol = await db.people("alice", "bob", "carol")
    chat = await direct(db, alice, bob)

    with pytest.raises(NotFound):
        await say(db, carol, chat.id, "let me in")
    with pytest.raises(NotFound):
        await say(db, alice, MISSING, "anyone?")
    assert await db.count(Message) == 0
    assert await db.last_message_id(chat.id) is None


async def test_send_with_an_attachment_needs_one_of_your_own(db: Db) -> None:
    alice, bob = await db.people("alice", "bob")
    chat = await direct(db, alice, bob)
    async with db.units.begin() as session:
        upload = Attachment(
            uploader_id=alice.id,
            name="cat.png",
            size=3,
            content_type="image/png",
            storage_key="ab/cat",
        )
        session.add(upload)
        await session.flush()
    url = f"/attachments/{upload.id}"

    with pytest.raises(InvalidInput):
        await say(db, bob, chat.id, "not mine", attachment_url=url)
    with pytest.raises(InvalidInput):
        await say(db, alice, chat.id, "elsewhere", attachment_url="https://example.com/x.png")
    assert await db.count(Message) == 0

    sent = await say(db, alice, chat.id, "", attachment_url=url)
    assert sent.message.attachment_url == url
    assert sent.message.attachment is not None and sent.message.attachment.name == "cat.png"
    assert await db.count(Message, Message.attachment_id == upload.id) == 1


# --- read markers, history, missed ---------------------------------------------------------


async def test_sending_reads_what_came_before(db: Db) -> None:
    alice, bob = await db.people("alice", "bob")
    chat = await direct(db, alice, bob)
    a1 = (await say(db, alice, chat.id, "one")).message.id
    a2 = (await say(db, alice, chat.id, "two")).message.id
    assert await db.marker(chat.id, alice.id) == a2
    assert await db.marker(chat.id, bob.id) == 0

    reply = await say(db, bob, chat.id, "three")
    b3 = reply.message.id
    assert reply.others_read is True
    assert await db.marker(chat.id, bob.id) == b3
    assert await db.marker(chat.id, alice.id) == a2
    # Bob's own message stays unread until Alice reads it.
    assert await db.read_flags(chat.id) == {a1: True, a2: True, b3: False}
    assert await db.last_message_id(chat.id) == b3

    # Nothing new of Alice's to mark: no read to tell of.
    assert (await say(db, bob, chat.id, "four")).others_read is False


async def test_mark_read_moves_forward_only_and_stops_at_the_last_message(db: Db) -> None:
    alice, bob, carol = await db.people("alice", "bob", "carol")
    chat = await direct(db, alice, bob)
    assert await db.run(messages.mark_read, bob, chat.id, 5) is None  # nothing to read yet
    m1, m2, m3 = [(await say(db, alice, chat.id, text)).message.id for text in "abc"]

    assert await db.run(messages.mark_read, bob, chat.id, m2) == m2
    assert await db.marker(chat.id, bob.id) == m2
    assert await db.read_flags(chat.id) == {m1: True, m2: True, m3: False}

    assert await db.run(messages.mark_read, bob, chat.id, m1) is None
    assert await db.run(messages.mark_read, bob, chat.id, m2) is None
    assert await db.marker(chat.id, bob.id) == m2

    # Past the newest message the marker stops at it.
    assert await db.run(messages.mark_read, bob, chat.id, m3 + 1000) == m3
    assert await db.marker(chat.id, bob.id) == m3
    assert await db.run(messages.mark_read, bob, chat.id, m3 + 2000) is None
    assert await db.read_flags(chat.id) == {m1: True, m2: True, m3: True}

    # The sender already stands at their own last message.
    assert await db.run(messages.mark_read, alice, chat.id, m3) is None
    with pytest.raises(NotFound):
        await db.run(messages.mark_read, carol, chat.id, m3)


async def test_history_pages_both_ways(db: Db) -> None:
    alice, bob, carol = await db.people("alice", "bob", "carol")
    chat = await direct(db, alice, bob)
    ids = [(await say(db, alice, chat.id, f"m{i}")).message.id for i in range(7)]
    await db.run(messages.delete, alice, chat.id, ids[3])

    def page_ids(page: list[dict[str, Any]]) -> list[int]:
        return [m["id"] for m in page]

    newest = await db.run(messages.history, LINKS, bob.id, chat.id, limit=3)
    assert page_ids(newest) == ids[4:]
    assert [m["content"] for m in newest] == ["m4", "m5", "m6"]
    # Deleted messages are skipped, not counted against the page.
    older = await db.run(messages.history, LINKS, bob.id, chat.id, limit=3, before=ids[4])
    assert page_ids(older) == [ids[0], ids[1], ids[2]]
    oldest = await db.run(messages.history, LINKS, bob.id, chat.id, limit=3, before=ids[1])
    assert page_ids(oldest) == [ids[0]]
    newer = await db.run(messages.history, LINKS, bob.id, chat.id, limit=3, after=ids[1])
    assert page_ids(newer) == [ids[2], ids[4], ids[5]]
    assert await db.run(messages.history, LINKS, bob.id, chat.id, limit=3, after=ids[6]) == []

    with pytest.raises(InvalidInput):
        await db.run(messages.history, LINKS, bob.id, chat.id, limit=3, before=ids[5], after=1)
    with pytest.raises(NotFound):
        await db.run(messages.history, LINKS, carol.id, chat.id, limit=3)


async def test_missed_covers_my_chats_only_oldest_first(db: Db) -> None:
    alice, bob, carol = await db.people("alice", "bob", "carol")
    with_bob = await direct(db, alice, bob)
    with_carol = await direct(db, alice, carol)
    theirs = await direct(db, bob, carol)
    sent = []
    for chat, sender in [
        (with_bob, bob),
        (theirs, carol),
        (with_carol, carol),
        (with_bob, alice),
        (theirs, bob),
        (with_carol, alice),
    ]:
        sent.append((await say(db, sender, chat.id, "x")).message)
    mine = [m.id for m in sent if m.chat_id != theirs.id]
    deleted = sent[3].id
    await db.run(messages.delete, alice, with_bob.id, deleted)
    mine.remove(deleted)

    everything = await db.run(messages.missed, LINKS, alice.id, 0, None, 100)
    assert [m.id for m in everything] == mine
    later = await db.run(messages.missed, LINKS, alice.id, mine[0], None, 100)
    assert [m.id for m in later] == mine[1:]
    one_chat = await db.run(messages.missed, LINKS, alice.id, 0, with_carol.id, 100)
    assert [m.id for m in one_chat] == [m.id for m in sent if m.chat_id == with_carol.id]
    assert [m.id for m in await db.run(messages.missed, LINKS, alice.id, 0, None, 2)] == mine[:2]
    # A chat that is not mine yields nothing, not its messages.
    assert await db.run(messages.missed, LINKS, alice.id, 0, theirs.id, 100) == []
