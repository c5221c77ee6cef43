"""Each virtual user keeps its own token alive: renewed with its refresh token when the API says 401."""

from __future__ import annotations

import threading

import httpx
import pytest
from runs import Run, load_run

from ocgate.config import load_settings
from ocgate.sandbox.server import EmbeddedSandbox

#: Only what this test is about: the run must not need the SLOs of a normal run.
ANY_RUN_SLO = """
[overall]
min_completed = 1
"""


@pytest.fixture(scope="module")
def tokens_expire_mid_run(sandbox: EmbeddedSandbox, tmp_path_factory: pytest.TempPathFactory) -> Run:
    # Half-way through, the sandbox's clock jumps past every access token's expiry (the
    # storefront client's AccessTokenDuration: 600 minutes), not past the refresh tokens' (1440).
    jump = threading.Timer(6, lambda: httpx.post(f"{sandbox.base_url}/_sandbox/clock", json={"seconds": 11 * 3600}))
    jump.start()
    try:
        return load_run(load_settings(target=sandbox.base_url), tmp_path_factory.mktemp("tokens"), ANY_RUN_SLO)
    finally:
        jump.cancel()


def test_a_401_is_counted_and_the_user_renews_its_token_with_the_refresh_token(tokens_expire_mid_run):
    stats = tokens_expire_mid_run.stats
    unauthorized = [error for error in stats.errors if error["error"].startswith("BusinessFailure('401 ")]
    assert unauthorized, "no request met an expired token"
    refreshed = stats.named("POST /oauth/token (refresh_token)")
    assert refreshed is not None and refreshed.num_completed >= 1 and refreshed.num_failures == 0


def test_after_renewing_the_users_go_on_shopping(tokens_expire_mid_run):
    stats = tokens_expire_mid_run.stats
    renewed_at = stats.named("POST /oauth/token (refresh_token)").start_time
    assert max(entry.last_request_timestamp for entry in stats.requests() if entry.num_completed) > renewed_at
    assert stats.checkouts_completed >= 1
