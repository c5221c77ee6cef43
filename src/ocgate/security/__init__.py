"""The security suite's machinery: how `ocgate security` starts it, what it checks, derived from the spec.

- `suite`     the pytest command line (`pytest security/ ...`), like the scenarios'
- `derive`    what to check, read from the OpenAPI document: operations that name an object
              of one buyer company (path parameters, /me objects), read-only request fields,
              secret response fields, the account-recovery operations that take a username
- `findings`  a finding ("Security: <rule>: <operation>: ..."), and waiving it

The checks themselves live in the top-level `security/` folder.
"""
