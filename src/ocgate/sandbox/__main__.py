"""`python -m ocgate.sandbox --host H --port P`: the sandbox as a process (see server.EmbeddedSandbox)."""

import argparse
import sys

from ..config import ConfigError, load_settings
from ..spec import SpecError
from .server import SandboxError, serve

parser = argparse.ArgumentParser(prog="python -m ocgate.sandbox")
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=0)
args = parser.parse_args()
try:
    serve(load_settings(), args.host, args.port)
except (ConfigError, SpecError, SandboxError) as error:
    print(f"ocgate: {error}", file=sys.stderr)
    sys.exit(2)
except KeyboardInterrupt:
    pass
