"""The chat UI in a real browser (Debian's chromium through Playwright) against a real server on
127.0.0.1: ask, follow up, abstain, feedback, open a citation, trends, upload, escaping."""

from __future__ import annotations

import pytest

from assistant.service.state import StateStore
from tests.browser import DESKTOP, PHONE, demo_server, launch
from tests.conftest import CHARGING, CHARGING_SHARE, INVENTED_DOCUMENT, INVENTED_TEXT

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

BTS = "Năm 2023 toàn tỉnh có bao nhiêu trạm BTS?"
WAIT_MS = 30_000


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with demo_server(tmp_path_factory.mktemp("ui"), {INVENTED_DOCUMENT: INVENTED_TEXT}) as running:
        yield running


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    page.goto(server[0] + "/")
    expect(page.locator("#question textarea")).to_be_visible(timeout=WAIT_MS)
    yield page
    context.close()
    assert not errors, errors


def ask(page, question: str):
    """Type a question, send it, and wait for its answer: the turn (a locator)."""
    done = page.locator("section.turn.done")
    before = done.count()
    page.locator("#question textarea").fill(question)
    page.locator("#send").click()
    expect(done).to_have_count(before + 1, timeout=WAIT_MS)
    return done.nth(before)


def test_first_visit_shows_examples_and_an_answer_carries_citations_and_badges(page, server):
    expect(page.locator(".welcome")).to_contain_text("Xin chào")
    example = page.get_by_role("button", name=BTS)
    expect(example).to_be_visible()
    example.click()  # an example question asks itself
    asked = page.locator("section.turn.done").first
    expect(asked).to_be_visible(timeout=WAIT_MS)
    expect(asked.locator(".bubble.q")).to_contain_text(BTS)
    expect(page.locator(".welcome")).to_have_count(0)
    expect(example).to_be_hidden()

    # the answer to a question about the invented report (what the models make of the real documents
    # under the hashing embedder is theirs to change)
    turn = ask(page, CHARGING)
    expect(turn.locator(".answer-text")).to_contain_text("1.345")
    expect(turn.locator(".answer-text .num.n-verified")).to_have_text("1.345✓")
    expect(turn.locator(".checks .badge.b-verified")).to_have_text("✓ Đã kiểm chứng")
    source = turn.locator("details.src").first
    expect(source.locator(".src-title")).to_contain_text("Bạc Liêu")
    expect(source.locator(".src-sec")).not_to_be_empty()
    expect(source.locator("mark")).to_contain_text("1.345 điểm sạc")  # the supporting sentence, highlighted

    # the marker [1] opens its source; the link opens the document scrolled to the sentence
    turn.locator("a.cite").first.click()
    expect(source).to_have_attribute("open", "")
    with page.context.expect_page() as opened:
        source.get_by_role("link", name="Mở tài liệu tại đoạn này ↗").click()
    document = opened.value
    document.wait_for_load_state()
    expect(document.locator("mark#doan")).to_contain_text("1.345 điểm sạc")
    assert document.evaluate("document.querySelector('#doan').getBoundingClientRect().top") < DESKTOP["height"]


def test_follow_up_keeps_the_conversation_and_new_conversation_resets_it(page):
    ask(page, CHARGING)
    follow = ask(page, "còn năm 2025 thì sao?")
    expect(follow.locator(".answer-text")).to_contain_text("1.102")
    expect(page.locator("section.turn")).to_have_count(2)
    page.locator("#new-chat").click()
    expect(page.locator("section.turn")).to_have_count(0)
    expect(page.locator(".welcome")).to_be_visible()
    fresh = ask(page, "còn năm 2025 thì sao?")  # no history now: not read as the charging question
    expect(fresh.locator(".answer-text, .notice")).not_to_contain_text("1.102")


def test_abstention_notice_with_nearest_passages(page):
    turn = ask(page, "Tỉnh Bến Tre đã tích hợp bao nhiêu DVC trực tuyến lên Cổng DVC quốc gia?")
    notice = turn.locator(".notice.n-abstain")
    expect(notice).to_contain_text("Không tìm thấy câu trả lời trong tài liệu")
    expect(notice.locator("ul.nearest li")).to_have_count(3)
    expect(turn.locator(".badge")).to_have_count(0)


def test_calculation_shows_the_expression_and_operands_with_sources(page):
    turn = ask(page, CHARGING_SHARE)  # both operands are in one sentence of the invented report
    calc = turn.locator(".calc")
    expect(calc.locator(".badge.b-computed")).to_have_text("∑ Tính toán")
    expect(calc.locator("code")).to_have_text("18.060 ÷ 25.800 × 100 = 70")  # as run, in Vietnamese numbers
    expect(calc.locator("li")).to_have_count(2)
    expect(calc.locator("li").first).to_contain_text("nguồn [1]")
    expect(calc.locator("li").nth(1)).to_contain_text("nguồn [2]")


def test_feedback_with_a_comment_goes_to_the_store(page, server):
    turn = ask(page, BTS)
    turn.locator("button.fb[data-rate='down']").click()
    turn.locator(".fb-more textarea").fill("Thiếu số liệu năm 2022")
    turn.locator("button.fb-send").click()
    expect(page.locator("section.turn.done .fb-done")).to_contain_text("Đã ghi nhận")
    rows = StateStore(server[1].state_dir / "state.db").feedback()
    assert any(r["rating"] == -1 and r["comment"] == "Thiếu số liệu năm 2022" and r["question"] == BTS for r in rows)


@pytest.mark.parametrize(
    "attack",
    [
        '<img src=x onerror="window.__pwned=1"> trạm BTS?',
        "<script>window.__pwned=2</script> trạm BTS năm 2023?",
        "${window.__pwned=3} {{value}} trạm BTS?",
    ],
)
def test_html_in_a_question_is_shown_as_text_and_never_runs(page, attack):
    turn = ask(page, attack)
    expect(turn.locator(".bubble.q")).to_contain_text(attack)
    assert turn.locator(".bubble.q img, .bubble.q script").count() == 0
    assert page.evaluate("window.__pwned") is None


def test_figures_tab_plots_an_indicator_over_the_years(page):
    page.get_by_role("tab", name="📈 Số liệu").click()
    page.locator("#indicator textarea").fill("trạm BTS")
    page.locator("#figure-search").click()
    chart = page.locator("#figure-chart svg.chart")
    expect(chart).to_be_visible(timeout=WAIT_MS)
    expect(chart.locator("circle.pt.best")).to_have_count(2)  # 2022 and 2023
    expect(chart.locator("text.val")).to_have_text(["1.208", "1.222"])
    links = chart.locator("a")
    assert all(h.startswith("/xem/") for h in links.evaluate_all("xs => xs.map(a => a.getAttribute('href'))"))
    expect(page.locator("#figure-table tbody tr").first).to_contain_text("2022")


def test_documents_list_then_upload_and_ask_about_it(page, server, tmp_path):
    page.get_by_role("tab", name="📄 Tài liệu").click()
    expect(page.locator("article.doc")).to_have_count(6)
    new = tmp_path / "vinh-long-bao-cao-5g-2026.txt"
    new.write_text(
        "BÁO CÁO\n\nTình hình phủ sóng 5G tỉnh Vĩnh Long năm 2026\n\nI. KẾT QUẢ\n\n"
        "- Toàn tỉnh Vĩnh Long có 3.517 trạm phát sóng 5G, phủ sóng 91,4% dân số.\n",
        encoding="utf-8",
    )
    page.locator("#upload input[type=file]").set_input_files(str(new))
    page.locator("#upload-button").click()
    expect(page.locator("#upload-progress .progress.p-done")).to_be_visible(timeout=120_000)
    expect(page.locator("article.doc")).to_have_count(7)
    page.get_by_role("tab", name="💬 Hỏi đáp").click()
    turn = ask(page, "Tỉnh Vĩnh Long có bao nhiêu trạm phát sóng 5G năm 2026?")
    expect(turn.locator(".answer-text")).to_contain_text("3.517")
    expect(turn.locator("details.src mark").first).to_contain_text("3.517 trạm phát sóng 5G")


def test_phone_width_has_no_horizontal_scroll(browser, server):
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    page.goto(server[0] + "/")
    expect(page.locator("#question textarea")).to_be_visible(timeout=WAIT_MS)
    ask(page, BTS)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.locator("#send").is_visible()
    context.close()
