"""The embedded sandbox as an ASGI application.

Request flow for /v1/...: route by the spec -> authenticate (401) -> authorize
by the operation's roles (403) -> check the query parameters and parse the body
(400) -> a buyer or supplier user names only its own company (404,
rules/company_scope.py) -> resources / hand-written handler -> JSON. Anything that is not OrderCloud's API lives under /_sandbox.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import parse_qsl, quote

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import handlers, models, rules  # noqa: F401  (handlers, rules: register the hand-written semantics and guards)
from .errors import ApiError, bad_request
from .oauth import OAuthError
from .registry import Call, Reply
from .routing import Router
from .state import Marketplace

log = logging.getLogger("ocgate.sandbox")

#: Operations that need no token: the key that verifies tokens, and the forgotten-credentials flows
#: (whoever forgot a password or username cannot sign in to ask for a new one).
PUBLIC_OPERATIONS = frozenset({"Certs.GetPublicKey", "PasswordResets.SendVerificationCode", "PasswordResets.ResetPasswordByVerificationCode",
                               "ForgottenCredentials.SendOneTimePassword", "ForgottenCredentials.RetrieveUsername"})


class JSON(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        try:
            return orjson.dumps(content)  # ~10x the standard library: it is most of a list's cost
        except TypeError:  # integers beyond 64 bits, valid JSON kept from a request body
            return json.dumps(content, separators=(",", ":"), ensure_ascii=False).encode()


def _api_path(request: Request) -> str:
    """The path after /v1 as sent, still percent-encoded: an encoded "/" inside an ID stays part
    of the ID (the router decodes each segment once)."""
    raw = request.scope.get("raw_path")
    if raw is None:  # a server that does not pass the raw path on
        return "/" + quote(request.path_params["path"])
    return raw.decode("utf-8", "replace").split("?", 1)[0][len("/v1") :]


def error_response(error: ApiError) -> Response:
    return JSON(error.body(), status_code=error.status)


def create_app(market: Marketplace) -> Starlette:
    router = Router(market.spec.operations)
    query_rules = {op.operation_id: models.query_rules(op.parameters) for op in market.spec.operations}

    async def api(request: Request) -> Response:
        try:
            op, params = router.match(request.method, _api_path(request))
            identity = None
            if op.operation_id not in PUBLIC_OPERATIONS:
                identity = market.tokens.authenticate(request.headers.get("authorization"))
                market.tokens.authorize(identity, op)
            models.check_query(query_rules[op.operation_id], request.query_params)
            body = await _json_body(request, op.body_required) if op.request_schema is not None else None
            if identity is not None:
                rules.company_scope.check(identity, params, body)
            call = Call(op, params, request.query_params, body, identity or market.system_identity(), market)
            result = market.resources.handle(call)
        except ApiError as error:
            return error_response(error)
        except Exception:  # a bug of ours: still OrderCloud's error shape, and logged
            log.exception("unhandled error on %s %s", request.method, request.url.path)
            return JSON({"Errors": [{"ErrorCode": "InternalServerError", "Message": "Unexpected sandbox error.", "Data": None}]}, status_code=500)
        if isinstance(result, Reply):
            return JSON(result.body, status_code=result.status, headers=result.headers) if result.body is not None else Response(status_code=result.status, headers=result.headers)
        if op.success_status == 204:
            return Response(status_code=204)
        return JSON(result, status_code=op.success_status)

    async def token(request: Request) -> Response:
        content_type = request.headers.get("content-type", "")
        if "application/x-www-form-urlencoded" not in content_type:
            error = OAuthError(400, "invalid_request", "Request.InvalidContentType", "Invalid content type. Please use x-www-form-urlencoded.")
            return error_response(error)
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        try:
            with market.store.lock:  # the token endpoint reads users, roles and clients like any request
                granted = market.tokens.grant(form)
            return JSON(granted, headers={"Cache-Control": "no-store"})
        except ApiError as error:
            return error_response(error)

    async def health(request: Request) -> Response:
        return JSON({"status": "ok", "spec": market.spec.version, "objects": market.store.count()})

    async def counts(request: Request) -> Response:
        return JSON({"total": market.store.count(), "collections": market.store.counts()})

    async def outbox(request: Request) -> Response:
        """Messages the marketplace would have e-mailed (password reset verification codes, ...), oldest first."""
        return JSON({"Items": market.outbox})

    async def advance_clock(request: Request) -> Response:
        """Move the sandbox clock forward, so that token expiry can be tested without waiting."""
        try:
            body = await _json_body(request, required=True)
            seconds = body.get("seconds") if isinstance(body, dict) else None
            if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
                raise bad_request("InvalidRequest", 'Send {"seconds": N} with N >= 0: the clock only moves forward.')
        except ApiError as error:
            return error_response(error)
        market.clock_offset += seconds
        return JSON({"offset_seconds": market.clock_offset})

    async def process_subscriptions(request: Request) -> Response:
        """Place the orders of the subscriptions due by the sandbox clock (rules/subscriptions.py): what OrderCloud does on its own schedule."""
        try:
            with market.store.lock:
                return JSON(rules.subscriptions.process_due(market))
        except ApiError as error:
            return error_response(error)

    async def unknown(request: Request) -> Response:
        return error_response(ApiError(404, "NotFound", f"No such route: {request.method} {request.url.path}", {"ObjectType": "Route", "ObjectID": request.url.path}))

    async def unmatched(request: Request, exc: Exception) -> Response:
        return await unknown(request)

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    return Starlette(
        routes=[
            Route("/oauth/token", token, methods=["POST"]),
            Route("/v1/{path:path}", api, methods=methods),
            Route("/_sandbox/health", health, methods=["GET"]),
            Route("/_sandbox/counts", counts, methods=["GET"]),
            Route("/_sandbox/clock", advance_clock, methods=["POST"]),
            Route("/_sandbox/outbox", outbox, methods=["GET"]),
            Route(rules.subscriptions.PROCESS_ROUTE, process_subscriptions, methods=["POST"]),
            Route("/{path:path}", unknown, methods=methods),
        ],
        # Paths no route pattern can match (e.g. with an encoded line break) still get OrderCloud's error body.
        exception_handlers={404: unmatched, 405: unmatched},
    )


async def _json_body(request: Request, required: bool) -> Any:
    raw = await request.body()
    if not raw.strip():
        if not required:
            return {}
        raise bad_request("InvalidRequest", "The request body is empty; send a JSON object.")
    content_type = request.headers.get("content-type", "application/json")
    if "json" not in content_type:
        raise bad_request("Request.InvalidContentType", f"Invalid content type {content_type!r}. Please use application/json.")
    try:
        return json.loads(raw, parse_constant=_not_json)
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_request("InvalidRequest", f"The request body is not valid JSON: {exc}.") from None


def _not_json(constant: str) -> Any:
    """NaN and Infinity are JavaScript, not JSON."""
    raise ValueError(f"{constant} is not a JSON value")
