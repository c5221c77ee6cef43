"""The scenario suite's machinery: how `ocgate scenarios` starts the journeys, and the role matrix
(which persona may call which operation, derived from each operation's roles).

The journeys themselves live in the top-level `scenarios/` folder.
"""
