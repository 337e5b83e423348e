"""Browser tests drive Debian's Chromium (Playwright cannot download a browser here).
Installs it with apt when missing and running as root; otherwise says how."""

import os
import shutil
import subprocess
import sys

if shutil.which("chromium"):
    sys.exit(0)
if os.geteuid() == 0 and shutil.which("apt-get"):
    print("Installing Debian's chromium for the browser tests...", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "chromium", "fonts-dejavu-core"], check=True, env=env)
    sys.exit(0)
print(
    "chromium is missing: install it with `sudo apt-get install chromium`, then run make test again.", file=sys.stderr
)
sys.exit(1)
