"""Screenshots of the chat UI at desktop (1280×800) and phone (390×844) widths.

    python scripts/screenshots.py docs/screenshots      (or: make screenshots)

Serves the five documents (hashing embedder, a temp data dir) on 127.0.0.1 and drives Debian's
chromium through Playwright: first visit, a cited answer, a calculation, the Số liệu tab and the
documents list, each as <name>-desktop.png and <name>-phone.png.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from tests.browser import DESKTOP, PHONE, demo_server, launch  # noqa: E402

BTS = "Năm 2023 toàn tỉnh có bao nhiêu trạm BTS?"
CALC = "Từ số hồ sơ Cổng DVC Trà Vinh tiếp nhận năm 2022 và số hồ sơ nộp trực tuyến, hãy tính tỷ lệ hồ sơ trực tuyến."
WAIT_MS = 60_000


def ask(page, question: str) -> None:
    done = page.locator("section.turn.done")
    before = done.count()
    page.locator("#question textarea").fill(question)
    page.locator("#send").click()
    expect(done).to_have_count(before + 1, timeout=WAIT_MS)
    page.wait_for_timeout(900)  # the smooth scroll to the new turn


def shoot(browser, url: str, out: Path, size: str, viewport: dict) -> list[Path]:
    context = browser.new_context(viewport=viewport, locale="vi-VN", device_scale_factor=1)
    page = context.new_page()
    page.goto(url + "/")
    expect(page.locator("#question textarea")).to_be_visible(timeout=WAIT_MS)
    page.wait_for_timeout(500)
    shots = []

    def save(name: str) -> None:
        path = out / f"{name}-{size}.png"
        page.screenshot(path=str(path))
        shots.append(path)

    save("1-chao")
    ask(page, BTS)
    save("2-tra-loi")
    page.locator("#new-chat").click()
    expect(page.locator(".welcome")).to_be_visible(timeout=WAIT_MS)
    ask(page, CALC)
    save("3-tinh-toan")
    page.get_by_role("tab", name="📈 Số liệu").click()
    page.locator("#indicator textarea").fill("trạm BTS")
    page.locator("#figure-search").click()
    expect(page.locator("#figure-chart svg.chart")).to_be_visible(timeout=WAIT_MS)
    page.wait_for_timeout(500)
    save("4-so-lieu")
    page.get_by_role("tab", name="📄 Tài liệu").click()
    expect(page.locator("article.doc").first).to_be_visible(timeout=WAIT_MS)
    page.wait_for_timeout(300)
    save("5-tai-lieu")
    context.close()
    return shots


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, demo_server(Path(tmp)) as (url, _, _), sync_playwright() as p:
        browser = launch(p)
        for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            for path in shoot(browser, url, out, size, viewport):
                print(path)
        browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
