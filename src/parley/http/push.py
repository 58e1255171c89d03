"""Web Push: the server's public key, this device's subscription, its delivery log, a test."""

from fastapi import APIRouter, Response, status

from parley.actions import push
from parley.http.dependencies import AuthDep, ContextDep, CurrentUser, SessionDep
from parley.http.responses import error_responses
from parley.notifications.schemas import (
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionRef,
    TestPushOut,
    VapidKeyOut,
)

router = APIRouter(prefix="/push", tags=["push"])


@router.get("/key", response_model=VapidKeyOut, responses=error_responses(404))
async def vapid_key(ctx: ContextDep) -> VapidKeyOut:
    """The VAPID public key: a browser's `applicationServerKey` (public, no sign-in)."""
    return VapidKeyOut(vapid_public_key=push.public_key(ctx))


@router.post(
    "/subscriptions",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(401, 404) | {200: {"description": "Already known"}},
)
async def subscribe(
    data: SubscriptionIn, session: SessionDep, ctx: ContextDep, auth: AuthDep
) -> Response:
    created = await push.subscribe(session, ctx, auth[0], auth[1], data)
    return Response(status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


@router.delete(
    "/subscriptions", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401)
)
async def unsubscribe(data: SubscriptionRef, session: SessionDep, me: CurrentUser) -> Response:
    await push.unsubscribe(session, me, data.endpoint)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/subscriptions", response_model=list[SubscriptionOut], responses=error_responses(401))
async def devices(session: SessionDep, me: CurrentUser) -> list[SubscriptionOut]:
    """My devices, each with its last pushes: when, and what the push service answered."""
    return await push.devices(session, me)


@router.post(
    "/test",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=TestPushOut,
    responses=error_responses(401, 404),
)
async def test(session: SessionDep, ctx: ContextDep, me: CurrentUser) -> TestPushOut:
    """Send me a test notification on every device; the outcome shows in their logs."""
    return TestPushOut(devices=await push.test(session, ctx, me))
