#!/bin/sh
# Debian's libgomp1: the OpenMP runtime LightGBM's wheel loads (`assistant train` fits the listwise
# model with it; answering never does). Installed when missing.
set -e
if /sbin/ldconfig -p 2>/dev/null | grep -q 'libgomp\.so\.1 '; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "Thiếu thư viện OpenMP (libgomp.so.1) mà lightgbm cần và máy không có apt-get: hãy cài libgomp rồi chạy lại." >&2
    exit 1
fi
SUDO=
if [ "$(id -u)" != "0" ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "Thiếu libgomp.so.1: hãy chạy với quyền root 'apt-get install libgomp1' rồi chạy lại." >&2
        exit 1
    fi
    SUDO="sudo -n"
fi
echo "Đang cài libgomp1 của Debian cho lightgbm…"
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libgomp1 >/dev/null
