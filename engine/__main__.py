"""``python -m engine``: see :mod:`engine.cli.commands`."""

import sys

try:
    from engine.cli.commands import main
except KeyboardInterrupt:  # Ctrl-C while the libraries load: the same one line as during a command
    sys.stderr.write("interrupted\n")
    sys.exit(130)

sys.exit(main())
