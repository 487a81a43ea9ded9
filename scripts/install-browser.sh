#!/bin/sh
# Debian's chromium (and fonts with Vietnamese and emoji) for the browser tests and the screenshots.
# Never a browser downloaded by playwright: only Debian's packages, installed when missing.
set -e
CHROMIUM=/usr/bin/chromium
EMOJI=/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf
if [ -x "$CHROMIUM" ] && [ -f "$EMOJI" ]; then
    exit 0
fi
SUDO=
if [ "$(id -u)" != "0" ]; then
    SUDO=sudo
fi
echo "Đang cài chromium của Debian cho kiểm thử trên trình duyệt…"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-core fonts-noto-color-emoji >/dev/null
"$CHROMIUM" --version 2>/dev/null
