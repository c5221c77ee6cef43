"""The seller side: one user who fulfils the run's submitted orders at a steady pace.

Every round (traffic.toml [fulfilment] pacing) it lists the Open orders this run
created — its filter is the run's order ID prefix, so it never touches an order
it did not create — and fulfils a batch: most are shipped (one shipment with
every line, which completes the order), some are completed directly. Either way
the order must come back Completed.
"""

from __future__ import annotations

import random

from locust import constant_pacing
from ordercloud_user import OrderCloudUser, Session

from ocgate.load.traffic import Accounts, Fulfilment


class SellerFulfilment(OrderCloudUser):
    fixed_count = 1  # one seller-side user, however many buyers shop
    settings: Fulfilment

    @classmethod
    def configure(cls, settings: Fulfilment, accounts: Accounts) -> None:
        cls.settings = settings
        cls.accounts = accounts
        cls.wait_time = constant_pacing(settings.pacing)
        cls.tasks = [cls.fulfil]

    def on_start(self) -> None:
        self.session = Session(self.accounts.fulfilment)
        self.log_in(self.session)

    def fulfil(self) -> None:
        query = {"Status": "Open", "ID": f"{self.accounts.run_id}-*", "sortBy": "DateSubmitted", "pageSize": self.settings.batch}
        listed = self.call("GET", "/orders/Incoming", query=query)
        for order in listed.json().get("Items", []) if listed is not None else []:
            action = "complete" if random.random() < self.settings.complete_share else "ship"
            body = None if action == "complete" else {}
            self.call("POST", f"/orders/Incoming/{{orderID}}/{action}", body, orderID=order["ID"], expect=("Status", "Completed"))
