"""Who am I, and my personal API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import translation
from ninja import Router, Schema, Status
from pydantic import Field

from caseflow.accounts import services
from caseflow.accounts.models import ApiToken
from caseflow.accounts.roles import CAPABILITIES
from caseflow.core.schemas import ERRORS

router = Router(tags=["auth"])


class MeOut(Schema):
    id: int
    username: str
    name: str
    role: str
    language: str = Field(
        description="the user's language; when they chose none, the one this request is "
        "answered in (Accept-Language)"
    )
    language_chosen: bool = Field(description="whether the user chose the language")
    time_zone: str
    capabilities: list[str]


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    expires_at: datetime | None = None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class NewTokenOut(TokenOut):
    key: str = Field(description="shown once; store it now")


@router.get("/me", response={200: MeOut, **ERRORS})
def me(request: HttpRequest) -> Any:
    user = request.user
    capabilities = CAPABILITIES.get(user.role, frozenset())  # type: ignore[union-attr]
    return {
        "id": user.pk,
        "username": user.get_username(),
        "name": str(user),
        "role": user.role,  # type: ignore[union-attr]
        "language": user.language or translation.get_language(),  # type: ignore[union-attr]
        "language_chosen": bool(user.language),  # type: ignore[union-attr]
        "time_zone": user.time_zone,  # type: ignore[union-attr]
        "capabilities": sorted(capabilities),
    }


@router.get("/tokens", response={200: list[TokenOut], **ERRORS})
def list_tokens(request: HttpRequest) -> Any:
    return list(ApiToken.objects.filter(user=request.user))


@router.post("/tokens", response={201: NewTokenOut, **ERRORS})
def create_token(request: HttpRequest, payload: TokenIn) -> Any:
    token, key = services.create_api_token(
        actor=request.user, user=request.user, name=payload.name, expires_at=payload.expires_at
    )
    return Status(201, {**TokenOut.from_orm(token).dict(), "key": key})


@router.delete("/tokens/{token_id}", response={204: None, **ERRORS})
def revoke_token(request: HttpRequest, token_id: int) -> Any:
    token = ApiToken.objects.get(pk=token_id, user=request.user)
    services.revoke_api_token(actor=request.user, token=token)
    return Status(204, None)
