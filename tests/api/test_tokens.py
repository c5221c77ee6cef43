"""Logins under concurrency: each persona logs in once however many workers ask for its token,
and a slow login of one persona does not hold up another's (api/tokens.py)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs

import httpx
import jwt

from ocgate.api.tokens import Credentials, TokenService


def token_endpoint(logins: Counter, slow_user: str, release: threading.Event) -> httpx.Client:
    def answer(request: httpx.Request) -> httpx.Response:
        username = parse_qs(request.content.decode())["username"][0]
        logins[username] += 1
        if username == slow_user:
            release.wait(10)
        access = jwt.encode({"sub": username, "exp": int(time.time()) + 600, "role": ["Shopper"]}, "k" * 32, algorithm="HS256")
        return httpx.Response(200, json={"access_token": access, "expires_in": 600})

    return httpx.Client(transport=httpx.MockTransport(answer))


def service(logins: Counter, slow_user: str, release: threading.Event) -> TokenService:
    tokens = TokenService("http://target/oauth/token", http=token_endpoint(logins, slow_user, release))
    for name in ("slow", "quick"):
        tokens.register(name, Credentials(client_id="c", client_secret=None, grant="password", username=name, password="p", scope=("Shopper",)))
    return tokens


def test_many_workers_asking_for_one_personas_token_cause_one_login() -> None:
    logins: Counter = Counter()
    release = threading.Event()
    release.set()
    tokens = service(logins, "slow", release)
    with ThreadPoolExecutor(8) as pool:
        answers = set(pool.map(lambda _: tokens.token("quick"), range(32)))
    assert len(answers) == 1 and logins["quick"] == 1


def test_a_slow_login_does_not_hold_up_another_personas() -> None:
    logins: Counter = Counter()
    release = threading.Event()
    tokens = service(logins, "slow", release)
    with ThreadPoolExecutor(2) as pool:
        slow = pool.submit(tokens.token, "slow")
        quick = pool.submit(tokens.token, "quick")
        assert quick.result(timeout=5)  # answered while the slow login still waits
        assert not slow.done()
        release.set()
        assert slow.result(timeout=5)
