"""Test-session set-up shared by every test file."""

import signal

# A test run started in the background of a non-interactive shell (nohup, some CI runners)
# inherits SIGINT as ignored, and so would every command the tests start, so the Ctrl-C
# tests could not interrupt anything. Python's own handler restores what a terminal gives;
# the commands the tests start then get the default handling again.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
