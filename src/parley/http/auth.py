from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from parley.actions import accounts, sessions
from parley.auth import service
from parley.auth.schemas import (
    AuthOptions,
    LoginIn,
    LogoutIn,
    RefreshIn,
    RegisterIn,
    ResetIn,
    SessionOut,
    Token,
    UserOut,
)
from parley.http.dependencies import AuthDep, ClientAddress, ContextDep, CurrentUser, SessionDep
from parley.http.responses import IdPath, error_responses

router = APIRouter(prefix="/auth", tags=["auth"])

_VALIDATION_ERROR = {
    "description": "Validation Error",
    "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}
    },
}
_LOGIN_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/LoginIn"}},
            "application/x-www-form-urlencoded": {
                "schema": {"$ref": "#/components/schemas/LoginIn"}
            },
        },
    }
}


async def login_payload(request: Request) -> LoginIn:
    """JSON for apps, form fields for the OAuth2 password flow (Swagger's Authorize)."""
    content_type = request.headers.get("content-type", "")
    try:
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            fields = {"username": form.get("username"), "password": form.get("password")}
            if form.get("device") is not None:
                fields["device"] = form.get("device")
            return LoginIn.model_validate(fields)
        return LoginIn.model_validate_json(await request.body())
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_input=False)]
        ) from None


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=UserOut,
    responses=error_responses(403, 409, 429),
)
async def register(
    data: RegisterIn, session: SessionDep, ctx: ContextDep, address: ClientAddress
) -> Any:
    return await accounts.register(session, ctx, data, address)


@router.post(
    "/login",
    response_model=Token,
    responses=error_responses(401, 429) | {422: _VALIDATION_ERROR},
    openapi_extra=_LOGIN_BODY,
)
async def login(
    data: Annotated[LoginIn, Depends(login_payload)],
    session: SessionDep,
    ctx: ContextDep,
    address: ClientAddress,
) -> Token:
    return await accounts.login(session, ctx, data, address)


@router.get("/me", response_model=UserOut, responses=error_responses(401))
async def me(user: CurrentUser) -> Any:
    return user


@router.post("/refresh", response_model=Token, responses=error_responses(401))
async def refresh(data: RefreshIn, session: SessionDep, ctx: ContextDep) -> Token:
    return await service.refresh(session, ctx.auth, data.refresh_token)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401))
async def logout(auth: AuthDep, session: SessionDep, _body: LogoutIn | None = None) -> Response:
    # Its push subscriptions go, and its sockets close on every node.
    await sessions.sign_out_one(session, auth[0].id, auth[1].id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/options", response_model=AuthOptions)
async def options(session: SessionDep, ctx: ContextDep) -> AuthOptions:
    """What a sign-up form needs before asking anything; no sign-in needed."""
    return await accounts.options(session, ctx)


@router.post("/reset", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(400, 429))
async def reset(
    data: ResetIn, session: SessionDep, ctx: ContextDep, address: ClientAddress
) -> Response:
    await accounts.reset_password(session, ctx, data, address)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/sessions", response_model=list[SessionOut], responses=error_responses(401))
async def my_sessions(auth: AuthDep, session: SessionDep) -> list[SessionOut]:
    user, current = auth
    return [
        SessionOut(
            id=s.id,
            device=s.device,
            address=s.address,
            created_at=s.created_at,
            last_active_at=s.last_active_at or s.created_at,
            current=s.id == current.id,
        )
        for s in await sessions.mine(session, user.id)
    ]


@router.delete(
    "/sessions/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 404),
)
async def sign_out_session(session_id: IdPath, auth: AuthDep, session: SessionDep) -> Response:
    await sessions.sign_out_one(session, auth[0].id, session_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/sessions", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401))
async def sign_out_others(auth: AuthDep, session: SessionDep) -> Response:
    await sessions.sign_out_others(session, auth[0].id, auth[1].id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
