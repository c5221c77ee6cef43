"""ocgate's own tests. This folder is on `sys.path` (pytest puts a root conftest's folder there),
so tests in sub-folders share `cli_runs` and the other helpers beside this file."""
