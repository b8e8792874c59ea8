"""The local cloud: moto's own server with the fixes in moto_fixes/ applied first.

    python3 scripts/local/cloud.py -H 127.0.0.1 -p 5000

takes moto_server's options. It prints one line naming the fixes, then serves like moto_server.
It refuses to start when the installed moto is not the version the fixes were written for, and
it exits when the process that started it (or LOCAL_CLOUD_PARENT_PID) is gone: a test or
`npm start` killed outright leaves no emulator behind.
"""

import os
import sys
import threading
import time

# the process to outlive: named by whoever starts this (npm start, the test helpers), else the
# parent, read before anything slow happens
PARENT = int(os.environ.get("LOCAL_CLOUD_PARENT_PID") or os.getppid())

# no __pycache__ in the working tree (and none needed: the fixes are small)
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# moto reads it when IAM starts: the AWS managed policies exist, as in an account
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

import moto  # noqa: E402
import moto_fixes  # noqa: E402
from moto.server import main as moto_server  # noqa: E402


def alive(pid: int) -> bool:
    """alive tells whether a process exists (a zombie waiting to be reaped counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def exit_with_parent() -> None:
    """exit_with_parent ends this process once PARENT is gone."""

    def watch() -> None:
        while PARENT > 1 and alive(PARENT):
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def main() -> None:
    if moto.__version__ != moto_fixes.MOTO_VERSION:
        sys.stderr.write(
            f"local cloud: moto {moto.__version__} is installed, the fixes are for moto "
            f"{moto_fixes.MOTO_VERSION}: pip install 'moto[server]=={moto_fixes.MOTO_VERSION}'\n"
        )
        sys.exit(2)
    try:
        applied = moto_fixes.apply_all()
    except moto_fixes.FixError as err:
        sys.stderr.write(f"local cloud: cannot apply the fixes to moto: {err}\n")
        sys.exit(2)
    sys.stderr.write(f"local cloud: moto {moto.__version__} with fixes: {', '.join(applied)}\n")
    sys.stderr.flush()
    exit_with_parent()
    moto_server(sys.argv[1:])


if __name__ == "__main__":
    main()
