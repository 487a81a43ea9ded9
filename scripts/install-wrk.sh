#!/bin/sh
# Debian's wrk: a load generator in C for `scripts/soak.py --client wrk`, so that the clients of a
# load test take little of the CPU the server is measured on. Installed when missing.
set -e
if command -v wrk >/dev/null 2>&1; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "Thiếu wrk và máy không có apt-get: hãy cài wrk (https://github.com/wg/wrk) rồi chạy lại." >&2
    exit 1
fi
SUDO=
if [ "$(id -u)" != "0" ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "Thiếu wrk: hãy chạy với quyền root 'apt-get install wrk' rồi chạy lại." >&2
        exit 1
    fi
    SUDO="sudo -n"
fi
echo "Đang cài wrk của Debian cho phép đo tải…"
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
