"""Finding people and changing your own profile."""

from collections.abc import Container, Sequence

from sqlalchemy import case, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from parley.auth.security import Passwords
from parley.core.errors import Forbidden, InvalidInput, NotFound
from parley.db.models import User
from parley.users.schemas import UserPublic, UserUpdate


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def search(session: AsyncSession, query: str, limit: int) -> Sequence[User]:
    """Case-insensitive match on username or display name; prefix matches first."""
    needle = like_escape(query.strip().lower())
    prefix, anywhere = f"{needle}%", f"%{needle}%"
    display_key = User.display_name_key
    is_prefix = or_(
        User.username_key.like(prefix, escape="\\"), display_key.like(prefix, escape="\\")
    )
    rows = await session.scalars(
        select(User)
        .where(
            or_(
                User.username_key.like(anywhere, escape="\\"),
                display_key.like(anywhere, escape="\\"),
            )
        )
        .order_by(case((is_prefix, 0), else_=1), User.username_key)
        .limit(limit)
    )
    return rows.all()


def public_user(user: User, online: Container[int]) -> UserPublic:
    view = UserPublic.model_validate(user)
    view.online = user.id in online
    return view


async def get(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("user not found")
    return user


async def set_avatar(session: AsyncSession, user: User, avatar_key: str | None) -> str | None:
    """Point the user at a new avatar (or none); returns the old key, whose file can go."""
    old = user.avatar_key
    user.avatar_key = avatar_key
    await session.flush()
    return old


async def avatar_key(session: AsyncSession, user_id: int) -> str | None:
    return await session.scalar(select(User.avatar_key).where(User.id == user_id))


async def update_me(
    session: AsyncSession, passwords: Passwords, user: User, data: UserUpdate
) -> User:
    if data.display_name is not None:
        user.display_name = data.display_name
        user.display_name_key = data.display_name.lower()
    if data.password is not None:
        if data.current_password is None:
            raise InvalidInput(
                ("body", "current_password"), "current_password is required to change password"
            )
        if not await passwords.verify(user.password_hash, data.current_password):
            raise Forbidden("current password is wrong")
        user.password_hash = await passwords.hash(data.password)
    await session.flush()
    return user
