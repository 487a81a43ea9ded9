"""Places a question may name (lower case, with diacritics)."""

PROVINCES = (
    "trà vinh",
    "tiền giang",
    "vĩnh long",
    "bến tre",
    "sóc trăng",
    "cần thơ",
    "an giang",
    "đồng tháp",
    "long an",
    "hậu giang",
    "bạc liêu",
    "cà mau",
    "kiên giang",
    "hà nội",
    "hồ chí minh",
    "đà nẵng",
    "hải phòng",
    "bình dương",
    "đồng nai",
    "quảng ninh",
)
