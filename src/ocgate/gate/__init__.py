"""The contract gate's machinery; `ocgate.contract_gate.run_contract_suite` runs it, `contracts/` uses it.

- settings: the [contract] table (profile, operation filters, waiver file) and the profiles
- plan: what one run reads before it talks to a target, and the Schemathesis schema
- session: one run against one target (fixtures, personas, calls, cleanup)
- personas, objects, kinds, writes, orders, fixtures: who calls, which objects a call
  names, what it does to them, how the run leaves no trace
- probes, coverage, waivers: second requests for checks, the 2xx report, accepted failures

Nothing is imported here, so that ocgate.config can import `settings.ContractSettings`.
"""
