"""Run by test_load_throttling.py in a process of its own (Locust's gevent stays out of pytest).

A stand-in target that throttles: its token endpoint works, and GET /v1/me answers 429
(with Retry-After) or 503 the first times, then 200. One virtual user of the load model
asks for /me once; the script prints, as JSON, what the target saw and the summary the
load model writes for the SLO verdicts.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from gevent.pywsgi import WSGIServer
from locust.env import Environment

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "load"))
from ordercloud_user import OrderCloudUser, Session  # noqa: E402
from summary import write_summary  # noqa: E402

from ocgate.load.traffic import Account, Accounts  # noqa: E402

ANSWERS = [("429 Too Many Requests", {"Retry-After": "0.2"}), ("503 Service Unavailable", {}), ("200 OK", {})]
seen: list[str] = []


def target(environ, start_response):
    seen.append(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}")
    if environ["PATH_INFO"] == "/oauth/token":
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps({"access_token": "t", "expires_in": 600, "refresh_token": "r"}).encode()]
    status, headers = ANSWERS[min(sum(s == "GET /v1/me" for s in seen), len(ANSWERS)) - 1]
    start_response(status, [("Content-Type", "application/json"), *headers.items()])
    return [b'{"ID": "me"}' if status.startswith("200") else b'{"Errors": []}']


class Probe(OrderCloudUser):
    pass


server = WSGIServer(("127.0.0.1", 0), target, log=None)
server.start()
base_url = Probe.host = f"http://127.0.0.1:{server.server_port}"
account = Account("shopper", "Secret-Shopper-1", ("Shopper",))
Probe.accounts = Accounts("run", f"{base_url}/oauth/token", "client", account, account, [account])
environment = Environment(user_classes=[Probe], host=base_url)
environment.create_local_runner()  # the runner is what records requests into the statistics
user = Probe(environment)
user.session = Session(account)
answered = user.call("GET", "/me")
with tempfile.TemporaryDirectory() as scratch:
    write_summary(environment, Path(scratch) / "summary.json")
    summary = json.loads((Path(scratch) / "summary.json").read_text())
print(json.dumps({"answered": answered is not None and answered.json(), "seen": seen, "summary": summary}))
server.stop()
