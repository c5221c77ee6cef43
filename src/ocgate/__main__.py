"""`python -m ocgate` is the `ocgate` command."""

from .cli import main

main()
