"""`python -m ocgate.sandbox --host H --port P`: the sandbox as a process (see server.EmbeddedSandbox)."""

import argparse
import sys

from ..config import load_settings
from ..errors import CannotRun, ExitCode
from .server import serve

parser = argparse.ArgumentParser(prog="python -m ocgate.sandbox")
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=0)
args = parser.parse_args()
try:
    serve(load_settings(), args.host, args.port)
except CannotRun as error:
    print(f"ocgate: {error.line()}", file=sys.stderr)
    sys.exit(ExitCode.CANNOT_RUN)
except KeyboardInterrupt:
    pass
