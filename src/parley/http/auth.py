from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from parley.actions import accounts, push
from parley.auth import service
from parley.auth.schemas import LoginIn, LogoutIn, RefreshIn, RegisterIn, Token, UserOut
from parley.http.dependencies import AuthDep, ClientAddress, ContextDep, CurrentUser, SessionDep
from parley.http.responses import error_responses

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
    await push.sign_out(session, auth[1])
    return Response(status_code=status.HTTP_204_NO_CONTENT)
