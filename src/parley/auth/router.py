from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from parley.auth import service
from parley.auth.schemas import LoginIn, LogoutIn, RefreshIn, RegisterIn, Token, UserOut
from parley.dependencies import (
    AuthDep,
    ClientAddress,
    CurrentUser,
    SessionDep,
    SettingsDep,
    StateDep,
)
from parley.errors import DomainError
from parley.schemas import error_responses

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
            return LoginIn.model_validate(
                {"username": form.get("username"), "password": form.get("password")}
            )
        return LoginIn.model_validate_json(await request.body())
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_input=False)]
        ) from None


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=UserOut,
    responses=error_responses(409, 429),
)
async def register(
    data: RegisterIn, session: SessionDep, state: StateDep, address: ClientAddress
) -> Any:
    # Every attempt counts (409s too): it also slows down probing for taken names.
    await state.registration_limit.hit(f"ip:{address}")
    return await service.register(session, state.settings, data)


@router.post(
    "/login",
    response_model=Token,
    responses=error_responses(401, 429) | {422: _VALIDATION_ERROR},
    openapi_extra=_LOGIN_BODY,
)
async def login(
    data: Annotated[LoginIn, Depends(login_payload)],
    session: SessionDep,
    state: StateDep,
    address: ClientAddress,
) -> Token:
    keys = (f"ip:{address}", f"user:{data.username.lower()}")
    await state.login_limit.check(*keys)
    try:
        return await service.login(session, state.settings, data.username, data.password)
    except DomainError:
        # Only failures count: people who know their password are never locked out.
        await state.login_limit.hit(*keys)
        raise


@router.get("/me", response_model=UserOut, responses=error_responses(401))
async def me(user: CurrentUser) -> Any:
    return user


@router.post("/refresh", response_model=Token, responses=error_responses(401))
async def refresh(data: RefreshIn, session: SessionDep, settings: SettingsDep) -> Token:
    return await service.refresh(session, settings, data.refresh_token)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401))
async def logout(auth: AuthDep, session: SessionDep, _body: LogoutIn | None = None) -> Response:
    await service.logout(session, auth[1])
    return Response(status_code=status.HTTP_204_NO_CONTENT)
