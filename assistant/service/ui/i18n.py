"""Gradio's own labels in Vietnamese (Gradio ships no Vietnamese): given for ``vi`` and for ``en``,
the fallback of every other browser language."""

from __future__ import annotations

LABELS = {
    "upload_text.click_to_upload": "Bấm để chọn tệp",
    "upload_text.drop_file": "Kéo thả tệp vào đây",
    "upload_text.paste_clipboard": "Dán từ bộ nhớ tạm",
    "common.or": "hoặc",
    "common.clear": "Xóa",
    "common.remove": "Bỏ",
    "common.empty": "Trống",
    "common.error": "Lỗi",
    "common.loading": "Đang tải",
    "common.download": "Tải về",
    "common.close": "Đóng",
    "status.queue_position": "Đang chờ: {position}/{size}",
    "errors.lost_connection": "Mất kết nối do rời trang. Đang kết nối lại…",
    "errors.waiting_for_inputs": "Đang chờ tải tệp xong, hãy thử lại.",
    "file.uploading": "Đang tải lên…",
}


def translations() -> dict[str, dict[str, str]]:
    return {"vi": LABELS, "en": LABELS}
