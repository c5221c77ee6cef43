"""Talking to an OrderCloud target: the HTTP client, persona tokens, the target (a real host or
the embedded sandbox), seeding the fixture marketplace of `data/`, and cleaning up after a run.

Everything here uses only OrderCloud's public API, so it works the same against the embedded
sandbox and a real marketplace.
"""
