"""``python -m nnscratch`` runs the command line."""

import sys

try:
    from nnscratch.cli import main
except KeyboardInterrupt:  # Ctrl-C while the command is still starting (see _startup)
    from nnscratch._startup import exit_if_command

    exit_if_command()
    raise

sys.exit(main())
