"""The embedded OrderCloud sandbox: a local, stateful, spec-driven imitation of OrderCloud.

Where things live (a request flows top to bottom):

- server.py      starting and stopping it (a thread of this process, or a subprocess)
- app.py         the ASGI app: routes /oauth/token, /v1/... and /_sandbox/...
- routing.py     request path -> the spec's operation
- oauth.py       the token endpoint, RS256 JWTs, verifying bearer tokens (asks directory.py only)
- directory.py   who is who: users, logins, groups, roles, API clients
- state.py       one marketplace: store + resources + directory + OAuth server + clock
- resources.py   the engine: runs each operation under the store lock; spec-driven CRUD,
                 assignments and links, applying the guards and perspectives declared in registry.py
- registry.py    what hand-written code declares: handlers, write/delete hooks, presenters,
                 guards (who reaches a collection's objects) and perspectives (/me storage)
- store.py       the objects in memory, and the one lock
- models.py      request bodies -> stored objects (validation, defaults, PATCH merge)
- listing.py     paging, search, filters and sort of every list
- responses.py   list pages and response-shaped objects for handlers
- errors.py      OrderCloud's error body
- rules/         shared business rules, one family per module (visibility, order access, pricing...)
- handlers/      hand-written operations with real business semantics, one resource or flow per module
"""

from .server import EmbeddedSandbox, SandboxError

__all__ = ["EmbeddedSandbox", "SandboxError"]
