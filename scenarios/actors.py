"""Who acts in a journey."""

from __future__ import annotations

from dataclasses import dataclass

from ocgate.api.client import OrderCloudClient
from ocgate.api.seeding import SeededUser


@dataclass
class Actor:
    """A seeded user and an API client that holds their token."""

    user: SeededUser
    api: OrderCloudClient

    @property
    def id(self) -> str:
        return self.user.user_id
