"""A person's notification settings: changed over REST, told to their other devices.

Both events go to the person alone (recipients = {me}): settings are one's own view, and
every device of theirs must agree at once.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from parley.actions.context import Context
from parley.actions.events import ChatSettings, NotificationsSettings
from parley.chats.schemas import ChatOut
from parley.chats.service import chat_view
from parley.core.events import record
from parley.db.models import User
from parley.notifications import service
from parley.notifications.schemas import (
    ChatSettingsIn,
    NotificationSettings,
    NotificationSettingsIn,
)


async def set_chat_settings(
    session: AsyncSession, ctx: Context, me: User, chat_id: int, data: ChatSettingsIn
) -> ChatOut:
    me_id = me.id
    await service.set_chat_settings(session, me_id, chat_id, data)
    chat = await chat_view(session, me_id, chat_id, ctx.views)
    event = ChatSettings(chat_id=chat_id, notify=chat.notify, muted_until=chat.muted_until)
    record(session, event.to({me_id}))
    return chat


async def set_account_settings(
    session: AsyncSession, me: User, data: NotificationSettingsIn
) -> NotificationSettings:
    user = await service.set_account_settings(session, me, data)
    settings = NotificationSettings.model_validate(user.notifications)
    record(session, NotificationsSettings(settings=settings).to({user.id}))
    return settings
