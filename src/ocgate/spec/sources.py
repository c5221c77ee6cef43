"""Where OpenAPI documents come from: the built-in ones, a file, or a URL; and writing a pin.

A location is `builtin:<name>` (a document shipped inside ocgate, see `data/spec/PROVENANCE.md`),
a path (`.json`, or `.json.gz`), or an http(s) URL such as the live document of the current API.
`ocgate spec pin` writes the normalized form of any of them, so a team's CI gate tests one
reproducible document.
"""

from __future__ import annotations

import functools
import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx

from .document import each_operation
from .errors import SpecError
from .normalize import normalize

#: The live OpenAPI document of the current API (BEHAVIOUR.md: served by every marketplace).
LIVE_URL = "https://api.ordercloud.io/v1/openapi/v3"
BUILTIN_PREFIX = "builtin:"
BUILTIN_DIR = Path(__file__).resolve().parent.parent / "data" / "spec"
#: Built-in documents by name; the first is what `builtin` alone means.
BUILTIN: dict[str, str] = {"1.0.260": "ordercloud-1.0.260.json.gz", "current": "ordercloud-current.json.gz"}
DEFAULT_BUILTIN = BUILTIN_PREFIX + next(iter(BUILTIN))


def is_url(location: str) -> bool:
    return urlparse(location).scheme in ("http", "https")


def is_builtin(location: str) -> bool:
    return location == "builtin" or location.startswith(BUILTIN_PREFIX)


def builtin_path(location: str) -> Path:
    """The packaged file of `builtin` or `builtin:<name>`."""
    name = location.removeprefix(BUILTIN_PREFIX) if location != "builtin" else next(iter(BUILTIN))
    if name not in BUILTIN:
        raise SpecError(f"{location}: no such built-in document; choose one of: {', '.join(BUILTIN_PREFIX + n for n in BUILTIN)}")
    return BUILTIN_DIR / BUILTIN[name]


@functools.lru_cache(maxsize=8)
def load_document(location: str) -> dict[str, Any]:
    """Read the raw document from a built-in name, a file path or an http(s) URL (cached per location)."""
    try:
        if is_url(location):
            response = httpx.get(location, timeout=30, follow_redirects=True)
            response.raise_for_status()
            document = response.json()
        else:
            path = builtin_path(location) if is_builtin(location) else Path(location)
            raw = path.read_bytes()
            document = json.loads(gzip.decompress(raw) if path.suffix == ".gz" else raw)
    except (OSError, httpx.HTTPError) as exc:
        raise SpecError(f"cannot load the OpenAPI document from {location}: {exc}") from None
    except ValueError as exc:
        raise SpecError(f"{location} is not JSON: {exc}; give an OpenAPI 3 document in JSON") from None
    if not isinstance(document, dict) or not str(document.get("openapi", "")).startswith("3"):
        raise SpecError(f"{location} is not an OpenAPI 3 document (no 'openapi: 3.x' field); give the API's OpenAPI JSON")
    if not isinstance(document.get("paths"), dict):
        raise SpecError(f"{location} has no 'paths'; give the API's whole OpenAPI JSON")
    return document


@dataclass(frozen=True)
class Pinned:
    """What `pin` wrote."""

    path: Path
    version: str
    operations: int


def pin(location: str, out: Path) -> Pinned:
    """Write the normalized form of the document at `location` to `out` (gzip when it ends in .gz)."""
    document = normalize(load_document(location))
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    data = gzip.compress(text.encode(), mtime=0) if out.suffix == ".gz" else (text + "\n").encode()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    except OSError as exc:
        raise SpecError(f"cannot write {out}: {exc.strerror or exc}; choose a writable path with --out") from None
    version = str(document.get("info", {}).get("version", "unknown"))
    return Pinned(out, version, sum(1 for _ in each_operation(document)))


#: Where `ocgate spec pin` writes by default, relative to the configuration's folder.
PIN_DEFAULT = Path("contracts") / "openapi.json"


def named_location(name: str, config_dir: Path, configured: str | None = None) -> str:
    """A location for `ocgate spec diff`: the words `pinned`, `live`, `builtin[:name]`, a path or a URL.

    `pinned` is the team's pin: the configured `spec` when it is a file, else `contracts/openapi.json`
    when it exists, else the built-in document (what the embedded sandbox serves).
    """
    if name == "live":
        return LIVE_URL
    if name == "pinned":
        if configured and not is_url(configured) and not is_builtin(configured):
            return str(config_dir / configured)
        if configured and is_builtin(configured):
            return configured
        default = config_dir / PIN_DEFAULT
        return str(default) if default.exists() else DEFAULT_BUILTIN
    return name
