#!/bin/sh
# Debian's wrk: a load generator in C for `scripts/soak.py --client wrk`, so that the clients of a
# load test take little of the CPU the server is measured on. Installed when missing.
set -e
if command -v wrk >/dev/null 2>&1; then
    exit 0
fi
SUDO=
if [ "$(id -u)" != "0" ]; then
    SUDO=sudo
fi
echo "Đang cài wrk của Debian cho phép đo tải…"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >/dev/null
wrk --version 2>&1 | head -1 || true
