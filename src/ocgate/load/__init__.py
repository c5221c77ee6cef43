"""The load suite's machinery: the runner (seeding, Locust as its own process, verdicts), the
shapes, the traffic settings, the SLO thresholds and their verdicts, and the load's report.

The Locust user classes themselves live in the top-level `load/` folder.
"""
