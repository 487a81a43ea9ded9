"""The chat UI with keys on: it asks for a key and shows only what that key may see; the document
viewer follows the same rules (a key from the page's cookie, or none)."""

from __future__ import annotations

import httpx
import pytest

from tests.browser import DESKTOP, demo_server, launch
from tests.test_ui_browser import WAIT_MS, ask

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

SECRET = "tra-vinh-bao-cao-mat-2026.txt"
SECRET_TEXT = (
    "BÁO CÁO MẬT\n\nHạ tầng viễn thông tỉnh Trà Vinh năm 2026\n\n"
    "I. KẾT QUẢ\n\n- Năm 2026 toàn tỉnh có 7.777 trạm BTS mới, kinh phí 123.456 triệu đồng.\n"
)
ADMIN = "admin-khoa-giao-dien-00001"
INSIDER = "doc-trong-nhom-giao-dien-1"
OUTSIDER = "doc-ngoai-nhom-giao-dien-1"
QUESTION = "Năm 2026 toàn tỉnh có bao nhiêu trạm BTS mới?"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    keys = [
        {"key": ADMIN, "role": "admin"},
        {"key": INSIDER, "role": "reader", "groups": ["so-tttt-mat"]},
        {"key": OUTSIDER, "role": "reader", "groups": ["khac"]},
    ]
    extra = {SECRET: SECRET_TEXT, f"{SECRET}.meta.yaml": "groups: [so-tttt-mat]\n"}
    with demo_server(tmp_path_factory.mktemp("ui-keys"), extra, api_keys=keys, require_keys=True) as running:
        yield running


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


def enter(browser, server, key: str):
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    page.goto(server[0] + "/")
    expect(page.locator("#key-input input")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("#question textarea")).to_be_hidden()
    page.locator("#key-input input").fill(key)
    page.locator("#login").click()
    return context, page


def test_a_wrong_key_is_refused(browser, server):
    context, page = enter(browser, server, "khong-phai-khoa-nao-ca-000")
    expect(page.get_by_text("Khóa API không hợp lệ")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("#question textarea")).to_be_hidden()
    context.close()


def test_a_reader_outside_the_group_never_sees_the_restricted_document(browser, server):
    context, page = enter(browser, server, OUTSIDER)
    expect(page.locator("#question textarea")).to_be_visible(timeout=WAIT_MS)
    turn = ask(page, QUESTION)
    expect(turn).not_to_contain_text("7.777")
    page.get_by_role("tab", name="📄 Tài liệu").click()
    expect(page.locator("article.doc")).to_have_count(5)
    expect(page.locator("#documents")).not_to_contain_text("BÁO CÁO MẬT")
    expect(page.locator("#upload-button")).to_be_hidden()  # readers do not upload
    viewer = page.context.new_page()  # the page's cookie carries this key to the viewer
    viewer.goto(f"{server[0]}/xem/{SECRET}?start=0&end=20")
    expect(viewer.locator("h1")).to_have_text("Không mở được tài liệu")
    expect(viewer.locator("body")).not_to_contain_text("7.777")
    context.close()


def test_a_reader_in_the_group_gets_the_cited_answer_and_opens_it(browser, server):
    context, page = enter(browser, server, INSIDER)
    turn = ask(page, QUESTION)
    expect(turn.locator(".answer-text")).to_contain_text("7.777")
    with context.expect_page() as opened:
        turn.get_by_role("link", name="Mở tài liệu tại đoạn này ↗").first.click()
    expect(opened.value.locator("mark#doan")).to_contain_text("7.777 trạm BTS")
    context.close()


def test_an_admin_may_upload(browser, server):
    context, page = enter(browser, server, ADMIN)
    page.get_by_role("tab", name="📄 Tài liệu").click()
    expect(page.locator("#upload-button")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("article.doc")).to_have_count(6)
    context.close()


def test_the_viewer_needs_a_key_and_keeps_the_groups(server):
    url = f"{server[0]}/xem/{SECRET}"
    with httpx.Client(timeout=30) as client:
        anonymous = client.get(url)
        assert anonymous.status_code == 401 and "Cần khóa truy cập" in anonymous.text and "7.777" not in anonymous.text
        assert client.get(url, headers={"X-API-Key": OUTSIDER}).status_code == 404
        inside = client.get(url, params={"start": 0, "end": 11}, headers={"X-API-Key": INSIDER})
        assert inside.status_code == 200 and '<mark id="doan">BÁO CÁO MẬT</mark>' in inside.text
        refused = client.post(f"{server[0]}/xem/khoa", headers={"X-API-Key": "sai-khoa-0000000000"})
        assert refused.status_code == 401 and "tl_xem" not in refused.headers.get("set-cookie", "")
        kept = client.post(f"{server[0]}/xem/khoa", headers={"X-API-Key": INSIDER})
        assert kept.status_code == 200 and "httponly" in kept.headers["set-cookie"].lower()
        assert client.get(url).status_code == 200  # the cookie now opens it
