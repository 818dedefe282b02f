"""`python -m capplan`: the same entry point as the `capplan` command (`cli.main`)."""

import sys

try:
    from capplan.cli import main
except KeyboardInterrupt:  # Ctrl-C while Python is still importing the command line
    sys.stderr.write("capplan: interrupted\n")
    sys.exit(130)

main()
