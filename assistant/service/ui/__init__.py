"""The chat UI: Gradio Blocks mounted at ``/`` of the API's FastAPI app, calling the Service
in-process, and a reading view of documents at ``/xem/{id}`` (the cited span highlighted)."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI

HERE = Path(__file__).parent
# Light theme only (the custom HTML is drawn for it), whatever the system prefers.
HEAD = """<meta name="theme-color" content="#0b3a6f">
<script>
document.addEventListener("DOMContentLoaded", () => {
  const light = () => document.body.classList.contains("dark") && document.body.classList.remove("dark");
  new MutationObserver(light).observe(document.body, {attributes: true, attributeFilter: ["class"]});
  light();
});
</script>
<style>@media (max-width: 640px) { .gradio-container > .main { padding: 8px 10px !important; } }</style>"""
#: Threads the chat UI's handlers may use at once (a pool of its own; must not be 40, see mount_ui).
UI_THREADS = 16
FONTS = ["Noto Sans", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"]


def mount_ui(app: FastAPI, service) -> None:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr

    from assistant.service.ui import i18n, viewer
    from assistant.service.ui.handlers import Handlers
    from assistant.service.ui.layout import build

    app.include_router(viewer.router)
    theme = gr.themes.Soft(primary_hue="blue", neutral_hue="slate", font=FONTS).set(
        button_primary_background_fill="#0b5cad",
        button_primary_background_fill_hover="#0b3a6f",
        button_primary_text_color="#ffffff",
    )
    demo = build(Handlers(service))
    # the chat's handlers sleep between streamed pieces and upload polls: they run on a pool of their
    # own, not on the API's (``request_threads``); Gradio shares the API's pool when this is 40
    demo.max_threads = UI_THREADS
    gr.mount_gradio_app(
        app,
        demo,
        path="/",
        footer_links=[],
        run_history=False,
        theme=theme,
        css_paths=[HERE / "style.css"],
        head=HEAD,
        max_file_size=service.settings.max_upload_mb * 1024 * 1024,
        ssr_mode=False,
        i18n=gr.I18n(**i18n.translations()),
        mcp_server=False,
    )
