"""The contract gate's machinery; `contracts/` is the suite, `suite.pytest_command` starts it.

- plan, profiles: what one run reads before it talks to a target (configuration, spec,
  selected operations, the Schemathesis profile) and the Schemathesis schema
- session: one run against one target (fixtures, personas, calls, checks, cleanup)
- personas, objects, kinds, writes, orders, returns, fixtures: who calls, which objects a call
  names, what it does to them, the pools of orders and returns, how the run leaves no trace
- probes, coverage, waivers: second requests for checks, the 2xx report, accepted failures
"""
