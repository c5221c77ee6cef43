"""Matching request paths to the spec's operations.

Literal segments win over parameters (`/products/assignments` is not product
"assignments"), and `{direction}` matches Incoming/Outgoing/All in any case.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from urllib.parse import unquote

from ..spec import Operation
from .errors import ApiError

_PARAM = re.compile(r"{(\w+)}")
DIRECTIONS = {"incoming": "Incoming", "outgoing": "Outgoing", "all": "All"}


class Router:
    def __init__(self, operations: Iterable[Operation]) -> None:
        # (segment count) -> [(literal-first sort key, segments, {method: operation})]
        table: dict[tuple[str, ...], dict[str, Operation]] = {}
        for op in operations:
            table.setdefault(tuple(op.path.strip("/").split("/")), {})[op.method] = op
        self._by_length: dict[int, list[tuple[tuple[str, ...], dict[str, Operation]]]] = {}
        for segments, ops in sorted(table.items(), key=lambda item: [_PARAM.fullmatch(s) is not None for s in item[0]]):
            self._by_length.setdefault(len(segments), []).append((segments, ops))

    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str]]:
        op, params = self._match(method, path)
        return op, dict(params)

    @functools.lru_cache(maxsize=4096)  # noqa: B019  (one router per app: the cache lives as long as it should)
    def _match(self, method: str, path: str) -> tuple[Operation, dict[str, str]]:
        parts = [unquote(part) for part in path.strip("/").split("/")]
        allowed: set[str] = set()
        for segments, ops in self._by_length.get(len(parts), ()):
            params = _bind(segments, parts)
            if params is None:
                continue
            if method in ops:
                return ops[method], params
            allowed.update(ops)
        if allowed:
            raise ApiError(405, "MethodNotAllowed", f"{method} is not allowed here; use {', '.join(sorted(allowed))}.", {"Allowed": sorted(allowed)})
        raise ApiError(404, "NotFound", f"No such route: {method} /v1{path}", {"ObjectType": "Route", "ObjectID": path})


def _bind(segments: tuple[str, ...], parts: list[str]) -> dict[str, str] | None:
    params: dict[str, str] = {}
    for segment, part in zip(segments, parts):
        name = _PARAM.fullmatch(segment)
        if name is None:
            if segment.lower() != part.lower():
                return None
        elif not part:
            return None
        elif name.group(1) == "direction":
            if part.lower() not in DIRECTIONS:
                return None
            params["direction"] = DIRECTIONS[part.lower()]
        else:
            params[name.group(1)] = part
    return params
