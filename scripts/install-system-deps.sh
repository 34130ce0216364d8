#!/usr/bin/env bash
# Install what the browser tests need, outside Python:
#   - Debian's chromium package (/usr/bin/chromium), driven by Playwright's Python API;
#   - the npm packages pinned in package-lock.json (axe-core, injected into pages by the tests, and
#     the SARIF Multitool, which validates the link checker's SARIF);
#   - Debian's epubcheck package (validates the site's EPUB book).
#
# Idempotent: each step is skipped when its result is already there. Runs as root in CI
# (apt-get needs root; when not root, sudo is used if present). Never downloads a browser
# build of its own (no `playwright install`): the system chromium is the browser under test.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "install-system-deps: need root (or sudo) to run: $*" >&2
        return 1
    fi
}

apt_updated=0
apt_install() {
    # apt_install PACKAGE...: install Debian packages, running `apt-get update` once.
    if [ "$apt_updated" -eq 0 ]; then
        as_root apt-get update -qq
        apt_updated=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# 1. Chromium from Debian (the browser the tests launch through Playwright).
if [ -x /usr/bin/chromium ]; then
    echo "install-system-deps: chromium already present ($(/usr/bin/chromium --version 2>/dev/null || echo unknown version))"
else
    echo "install-system-deps: installing chromium from apt"
    apt_install chromium
fi

# 2. Node.js and npm, only if missing (they are needed for axe-core).
if ! command -v npm >/dev/null 2>&1; then
    echo "install-system-deps: installing nodejs and npm from apt"
    apt_install nodejs npm
fi

# 3. npm packages from the committed lock file: axe-core, and Microsoft's SARIF Multitool (a
#    self-contained binary that validates `check-links --format sarif`). npm no longer runs the
#    Multitool's install script, which only marks its binary executable: that is done here.
multitool=node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
if [ -f node_modules/axe-core/axe.min.js ] && [ -f "$multitool" ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
    echo "install-system-deps: node_modules up to date"
else
    echo "install-system-deps: installing npm packages (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
fi
if [ -f "$multitool" ] && [ ! -x "$multitool" ]; then
    chmod u+x "$multitool"
fi

# 4. EPUBCheck from Debian (the tests validate the EPUB book with it; it pulls in a Java runtime).
#    Debian's /usr/bin/epubcheck is the jar itself, run through binfmt_misc, which containers
#    often lack: the tests call `java -jar /usr/share/java/epubcheck.jar`.
if [ -f /usr/share/java/epubcheck.jar ] && command -v java >/dev/null 2>&1; then
    echo "install-system-deps: epubcheck already present"
else
    echo "install-system-deps: installing epubcheck from apt"
    apt_install epubcheck
fi

echo "install-system-deps: done"
