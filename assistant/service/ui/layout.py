"""The Gradio Blocks of the chat page: three tabs (Hỏi đáp, Số liệu, Tài liệu) and a key prompt."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from assistant.service.ui.conversation import conversation_html
from assistant.service.ui.handlers import Handlers, filters_label, header_html

HERE = Path(__file__).parent
EXAMPLES = [
    "Năm 2023 toàn tỉnh có bao nhiêu trạm BTS?",
    "Từ số hồ sơ Cổng DVC Trà Vinh tiếp nhận năm 2022 và số hồ sơ nộp trực tuyến, hãy tính tỷ lệ hồ sơ trực tuyến.",
    "Phần mềm thư điện tử công vụ khối Đảng Tiền Giang được triển khai từ năm nào?",
]
INDICATORS = ["trạm BTS", "dịch vụ công trực tuyến", "cáp quang", "chứng thư số"]
PRIVATE = {"api_visibility": "private"}


def build(handlers: Handlers) -> gr.Blocks:
    with gr.Blocks(title="Trợ lý tài liệu quy hoạch", analytics_enabled=False) as demo:
        key = gr.State(None)
        turns = gr.State([])
        header = gr.HTML(header_html())

        with gr.Column(visible=False, elem_classes="login-card") as login_box:
            gr.Markdown("### Nhập khóa truy cập\nMáy chủ này yêu cầu khóa. Khóa do quản trị viên cấp (`tl_…`).")
            key_input = gr.Textbox(label="Khóa truy cập", type="password", placeholder="tl_…", elem_id="key-input")
            login = gr.Button("Vào trợ lý", variant="primary", elem_id="login")
            login_message = gr.HTML()

        with gr.Column(visible=False) as main, gr.Tabs(elem_classes="tl-tabs"):
            with gr.Tab("💬 Hỏi đáp", id="chat"):
                with gr.Row(elem_classes="tl-top"):
                    with gr.Column(scale=5, min_width=280):
                        with gr.Accordion(filters_label(None, None, None), open=False) as filter_box:
                            with gr.Row():
                                documents = gr.Dropdown(label="Tài liệu", multiselect=True, choices=[], scale=3)
                                province = gr.Dropdown(
                                    label="Tỉnh", choices=[("Mọi tỉnh", "")], value="", scale=1, min_width=140
                                )
                                years = gr.Dropdown(label="Năm", multiselect=True, choices=[], scale=1, min_width=140)
                            clear = gr.Button("Bỏ lọc", size="sm", variant="secondary")
                    new_chat = gr.Button(
                        "+ Cuộc trò chuyện mới", variant="secondary", scale=0, min_width=230, elem_id="new-chat"
                    )
                conversation = gr.HTML(
                    conversation_html([]),
                    elem_id="conversation",
                    js_on_load=(HERE / "conversation.js").read_text("utf-8"),
                )
                with gr.Row(elem_classes="tl-examples") as examples:
                    example_buttons = [gr.Button(q, size="sm") for q in EXAMPLES]
                with gr.Row(elem_classes="tl-ask", equal_height=True):
                    question = gr.Textbox(
                        show_label=False,
                        placeholder="Nhập câu hỏi…",
                        lines=1,
                        max_lines=5,
                        scale=8,
                        elem_id="question",
                    )
                    send = gr.Button("Gửi", variant="primary", scale=1, elem_classes="tl-send", elem_id="send")

            with gr.Tab("📈 Số liệu", id="figures", elem_classes="tl-panel"):
                gr.Markdown(
                    "Tìm một chỉ tiêu để xem giá trị qua các năm trong mọi tài liệu; mỗi điểm dẫn tới đoạn nguồn."
                )
                with gr.Row(equal_height=True):
                    indicator = gr.Textbox(
                        label="Chỉ tiêu", placeholder="ví dụ: trạm BTS", scale=3, min_width=260, elem_id="indicator"
                    )
                    figure_documents = gr.Dropdown(
                        label="Trong tài liệu", multiselect=True, choices=[], scale=3, min_width=260
                    )
                    search = gr.Button(
                        "Xem số liệu", variant="primary", scale=1, min_width=140, elem_id="figure-search"
                    )
                with gr.Row(elem_classes="tl-examples"):
                    indicator_buttons = [gr.Button(q, size="sm") for q in INDICATORS]
                unit = gr.Radio(label="Đơn vị", choices=[], visible=False, elem_id="unit")
                with gr.Row():
                    with gr.Column(scale=3, min_width=340):
                        plot = gr.HTML(elem_id="figure-chart")
                    with gr.Column(scale=2, min_width=300):
                        table = gr.HTML(elem_id="figure-table")

            with gr.Tab("📄 Tài liệu", id="documents", elem_classes="tl-panel"):
                with gr.Column(visible=False) as upload_box:
                    gr.Markdown(
                        "#### Thêm tài liệu\nTệp .txt, .md, .docx hoặc .pdf; lập chỉ mục xong là hỏi được ngay."
                    )
                    with gr.Row():
                        upload_file = gr.File(
                            label="Tệp tài liệu",
                            file_types=[".txt", ".md", ".docx", ".pdf"],
                            scale=2,
                            height=150,
                            elem_id="upload",
                        )
                        with gr.Column(scale=1):
                            upload_groups = gr.Textbox(
                                label="Nhóm được xem (không bắt buộc)", placeholder="ví dụ: so-tttt, ubnd"
                            )
                            upload = gr.Button("Tải lên và lập chỉ mục", variant="primary", elem_id="upload-button")
                    progress = gr.HTML(elem_id="upload-progress")
                document_list = gr.HTML(elem_id="documents")

        page = [login_box, main, header, documents, province, years, figure_documents, document_list, upload_box]
        demo.load(handlers.load, key, page, **PRIVATE)
        login_js = (
            "(k) => { fetch('/xem/khoa', {method: 'POST', headers: {'X-API-Key': k.trim()}, "
            "credentials: 'same-origin'}); return k; }"
        )
        login_event = dict(fn=handlers.login, inputs=key_input, outputs=[key, login_message, *page], js=login_js)
        login.click(**login_event, **PRIVATE)
        key_input.submit(**login_event, **PRIVATE)

        asked = [conversation, turns, question, examples]
        ask_inputs = [question, turns, key, documents, province, years]
        send.click(handlers.ask, ask_inputs, asked, **PRIVATE)
        question.submit(handlers.ask, ask_inputs, asked, **PRIVATE)
        for button, text in zip(example_buttons, EXAMPLES):
            button.click(lambda text=text: text, None, question, **PRIVATE).then(
                handlers.ask, ask_inputs, asked, **PRIVATE
            )
        new_chat.click(handlers.new_conversation, None, asked, **PRIVATE)
        conversation.click(handlers.feedback, [turns, key], [conversation, turns], **PRIVATE)

        gr.on(
            [documents.change, province.change, years.change],
            lambda d, p, y: gr.update(label=filters_label(d, p, y)),
            [documents, province, years],
            filter_box,
            **PRIVATE,
        )
        clear.click(lambda: ([], "", []), None, [documents, province, years], **PRIVATE)

        figure_outputs = [unit, plot, table]
        search.click(
            lambda q, d, k: handlers.figures(q, d, None, k),
            [indicator, figure_documents, key],
            figure_outputs,
            **PRIVATE,
        )
        indicator.submit(
            lambda q, d, k: handlers.figures(q, d, None, k),
            [indicator, figure_documents, key],
            figure_outputs,
            **PRIVATE,
        )
        unit.input(handlers.figures, [indicator, figure_documents, unit, key], figure_outputs, **PRIVATE)
        for button, text in zip(indicator_buttons, INDICATORS):
            button.click(lambda text=text: text, None, indicator, **PRIVATE).then(
                lambda q, d, k: handlers.figures(q, d, None, k),
                [indicator, figure_documents, key],
                figure_outputs,
                **PRIVATE,
            )

        upload.click(handlers.upload, [upload_file, upload_groups, key], [progress, *page], **PRIVATE)
    return demo
