import signal
import sys

from analytics.cli import main

if hasattr(signal, "SIGPIPE"):  # `python -m analytics history | head` ends quietly
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
sys.exit(main())
