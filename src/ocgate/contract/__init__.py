"""The contract gate's machinery; `contracts/` is the suite, `suite.pytest_command` starts it.

- plan, profiles: what one run reads before it talks to a target (configuration, spec,
  selected operations, the Schemathesis profile) and the Schemathesis schema
- session: one run against one target (fixtures, personas, calls, checks, cleanup)
- personas, objects, kinds, writes, orders, returns, fixtures: who calls, which objects a call
  names, what it does to them, the pools of orders and returns, how the run leaves no trace
- probes, coverage, waivers: second requests for checks, the 2xx report, accepted failures
- semantics, arithmetic: what answers mean (written fields come back, a PATCH keeps the rest,
  reads agree, the write log that says when two reads had no write between) and the document's
  arithmetic of orders and line items, which the scenarios and the load model check too
"""
