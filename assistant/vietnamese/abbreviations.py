"""Administrative abbreviations: a curated list plus pairs mined from the documents.

Both sides of the index use them: a passage that writes "công nghệ thông tin" also answers a
question typed "CNTT", and the other way round.
"""

from __future__ import annotations

import re

from assistant.vietnamese.text import fold

#: Curated from Vietnamese provincial ICT and digital-transformation documents.
CURATED: dict[str, str] = {
    "CNTT": "công nghệ thông tin",
    "CĐS": "chuyển đổi số",
    "CDS": "chuyển đổi số",
    "TTHC": "thủ tục hành chính",
    "DVC": "dịch vụ công",
    "DVCTT": "dịch vụ công trực tuyến",
    "CSDL": "cơ sở dữ liệu",
    "UBND": "ủy ban nhân dân",
    "HĐND": "hội đồng nhân dân",
    "KTXH": "kinh tế xã hội",
    "KT-XH": "kinh tế xã hội",
    "LGSP": "nền tảng tích hợp chia sẻ dữ liệu cấp tỉnh",
    "NDXP": "nền tảng tích hợp chia sẻ dữ liệu quốc gia",
    "TT&TT": "thông tin và truyền thông",
    "TTTT": "thông tin và truyền thông",
    "STTTT": "sở thông tin và truyền thông",
    "QLVB": "quản lý văn bản",
    "HTTT": "hệ thống thông tin",
    "ATTT": "an toàn thông tin",
    "CQĐT": "chính quyền điện tử",
    "CQS": "chính quyền số",
    "BTS": "trạm thu phát sóng thông tin di động",
    "NSNN": "ngân sách nhà nước",
    "NSDP": "ngân sách địa phương",
    "NSTW": "ngân sách trung ương",
    "KH&CN": "khoa học và công nghệ",
    "KH&ĐT": "kế hoạch và đầu tư",
    "NN&PTNT": "nông nghiệp và phát triển nông thôn",
    "GD&ĐT": "giáo dục và đào tạo",
    "LĐTB&XH": "lao động thương binh và xã hội",
    "TN&MT": "tài nguyên và môi trường",
    "VH,TT&DL": "văn hóa thể thao và du lịch",
    "CBCCVC": "cán bộ công chức viên chức",
    "TMĐT": "thương mại điện tử",
    "IOC": "trung tâm giám sát điều hành thông minh",
    "BCĐ": "ban chỉ đạo",
    "KTS": "kinh tế số",
    "XHS": "xã hội số",
    "HSCV": "hồ sơ công việc",
    "VBĐT": "văn bản điện tử",
    "CKS": "chữ ký số",
    "SXKD": "sản xuất kinh doanh",
    "DN": "doanh nghiệp",
    "DNNVV": "doanh nghiệp nhỏ và vừa",
    "NQ": "nghị quyết",
    "QĐ": "quyết định",
    "TW": "trung ương",
    "PCI": "chỉ số năng lực cạnh tranh cấp tỉnh",
    "PAR": "chỉ số cải cách hành chính",
    "ICT": "công nghệ thông tin và truyền thông",
    "TTĐT": "thông tin điện tử",
    "HNTH": "hội nghị truyền hình",
    "TSLCD": "truyền số liệu chuyên dùng",
    "CQNN": "cơ quan nhà nước",
    "CQHCNN": "cơ quan hành chính nhà nước",
    "CTMTQG": "chương trình mục tiêu quốc gia",
    "DTTS": "dân tộc thiểu số",
    "DTTS&MN": "dân tộc thiểu số và miền núi",
    "TTDL": "trung tâm dữ liệu",
    "TTTHDL": "trung tâm tích hợp dữ liệu",
    "KH": "kế hoạch",
    "BC": "báo cáo",
    "CCHC": "cải cách hành chính",
    "ANTT": "an ninh trật tự",
    "LLTP": "lý lịch tư pháp",
    "GPLX": "giấy phép lái xe",
    "TP": "thành phố",
}

_PAIR = re.compile(r"([^()\n]{3,120}?)\s*\(\s*([A-ZĐ][A-ZĐ0-9&\-]{1,11})\s*\)")


def mine_pairs(text: str) -> dict[str, str]:
    """Pairs written in the text as "long form (ABBR)", matched by initials where possible."""
    found: dict[str, str] = {}
    for m in _PAIR.finditer(text):
        phrase, abbr = m.group(1), m.group(2)
        if abbr in CURATED:
            continue
        words = re.findall(r"\w+", phrase)
        letters = [ch for ch in abbr if ch.isalpha()]
        n = len(letters)
        if n and len(words) >= n:
            tail = words[-n:]
            if [fold(w[0]).upper() for w in tail] == [fold(c).upper() for c in letters]:
                found[abbr] = " ".join(tail).lower()
                continue
        segment = re.findall(r"\w+", re.split(r"[,;:]|\s(?:và|của|tại|với)\s", phrase)[-1])
        if segment:
            found[abbr] = " ".join(segment[-8:]).lower()
    return found
