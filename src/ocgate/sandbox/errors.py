"""OrderCloud's error body: {"Errors": [{"ErrorCode", "Message", "Data"}]}."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """Raised anywhere in the sandbox; answered with OrderCloud's standard error body."""

    def __init__(self, status: int, code: str, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.data = data

    def body(self) -> dict[str, Any]:
        return {"Errors": [{"ErrorCode": self.code, "Message": self.message, "Data": self.data}]}


def not_found(object_type: str, object_id: Any) -> ApiError:
    return ApiError(404, "NotFound", f"{object_type} not found: {object_id}", {"ObjectType": object_type, "ObjectID": object_id})


def bad_request(code: str, message: str, data: Any = None) -> ApiError:
    return ApiError(400, code, message, data)


def id_exists(object_type: str, object_id: str) -> ApiError:
    return ApiError(409, "IdExists", f"{object_type} already exists: {object_id}", {"ObjectType": object_type, "ObjectID": object_id})


def unauthorized(code: str = "InvalidToken", message: str = "Access token is invalid or expired.") -> ApiError:
    return ApiError(401, code, message)


def forbidden(code: str, message: str, data: Any = None) -> ApiError:
    return ApiError(403, code, message, data)
