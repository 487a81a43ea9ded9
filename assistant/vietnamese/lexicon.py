"""Vietnamese words the number finder reads: identifiers, dates, qualifiers and units (language data)."""

# Words right before a number that make it an identifier, not a quantity.
ID_BEFORE = (
    "phụ lục", "điều", "khoản", "mục", "chương", "phiên bản", "mức độ", "mức", "cấp độ",
    "thứ", "lần thứ", "tiêu chuẩn", "tcvn", "iso", "chuyên mục", "đề án", "chương trình",
    "giai đoạn", "khóa", "covid", "hạng", "phần", "dự án", "tiểu dự án", "nội dung", "đầu số",
    "quyết định", "nghị quyết", "nghị định", "thông tư", "công văn", "chỉ thị", "thông báo",
    "kế hoạch", "luật", "tờ trình", "báo cáo", "hướng dẫn", "văn bản", "số:",
)
DOC_TYPES = (
    "quyết định", "nghị quyết", "nghị định", "thông tư", "công văn", "chỉ thị", "thông báo",
    "kế hoạch", "luật", "tờ trình", "báo cáo", "hướng dẫn", "văn bản", "chương trình", "đề án",
)
DATE_BEFORE = ("ngày", "tháng", "hôm", "quý")
# Words that may follow a day/month ("ngày 10/10 hàng năm"); any other word makes "a/b" a ratio.
DATE_AFTER = frozenset(("hàng", "năm", "của", "và", "là", "lần", "tại", "vừa", "đến", "tới",
                         "với", "hằng", "đã", "sẽ", "thì", "trước", "sau", "vào"))
TIME_UNITS = ("năm", "tháng", "ngày", "tuần", "giờ", "phút", "lần")

# Qualifiers, longest first. "đạt tỷ lệ"/"chiếm tỷ lệ" report the verb.
QUALIFIERS = (
    "trên dưới", "tối thiểu", "tối đa", "ít nhất", "xấp xỉ", "gần như", "lên đến", "lên tới",
    "hơn", "trên", "khoảng", "gần", "đạt", "dưới", "từ", "đến", "chiếm", "tăng", "giảm",
    "còn", "chỉ", "bằng", "gồm", "tổng cộng",
)

# Unit lexicon (longest first); otherwise an acronym ("TTHC", "BTS"), otherwise no unit.
UNITS = tuple(sorted((
    "triệu đồng", "tỷ đồng", "tỉ đồng", "nghìn đồng", "ngàn đồng", "triệu USD", "đồng",
    "VNĐ", "VND", "USD", "km", "m", "kV", "MB", "GB", "TB", "Mbps", "Gbps", "ha",
    "doanh nghiệp", "dịch vụ", "hồ sơ", "thủ tục", "trạm", "cột", "bể", "xã", "huyện",
    "tỉnh thành", "tỉnh", "người dân", "người", "lượt", "tài khoản", "máy chủ", "máy tính",
    "máy trạm", "thiết bị", "camera", "cơ quan", "đơn vị", "hệ thống", "phần mềm",
    "cơ sở dữ liệu", "văn bản", "điểm cầu", "điểm", "bưu cục", "sản phẩm", "khách hàng",
    "hộ gia đình", "hộ", "tổ chức", "tổ", "thành viên", "đại biểu", "cán bộ", "công chức", "học viên",
    "lớp", "chứng thư số", "giờ", "phút", "ngày", "tháng", "năm", "tuần", "lần", "mục tiêu",
    "chỉ tiêu", "nhiệm vụ", "dự án", "trang", "cổng", "tin", "bài", "tin bài", "phóng sự",
    "chương trình", "kế hoạch", "quyết định", "nghị quyết", "bệnh viện", "trường", "mẫu",
    "phòng họp", "đội", "ngôn ngữ", "sở", "ban", "ngành", "nền tảng", "ứng dụng",
    "phản ánh", "kiến nghị", "máy ảo", "phòng", "đường truyền", "tuyến", "lượt truy cập",
    "cuộc", "hội nghị", "đợt", "buổi", "câu", "tập", "bản", "trang thông tin",
    "ủy ban nhân dân", "ủy ban", "dữ liệu", "quan điểm", "đột phá", "cảnh báo", "nhân viên",
    "tiểu thương", "giấy phép", "mã số thuế", "loại", "chợ", "mạng", "tuổi", "sàn", "cấp",
    "chiều", "kỳ", "thí sinh", "phù hiệu", "sao", "kênh", "người dùng", "hộp thư", "tiêu chí",
    "cuộc họp", "trường học", "học sinh", "sinh viên", "giáo viên", "giảng viên", "bác sĩ",
    "bài viết", "video", "website", "thủ tục hành chính", "tập thể", "cá nhân", "hợp tác xã",
    "thuê bao", "cuốn", "tác phẩm", "số báo", "ấp", "khóm", "phường", "thị trấn", "thành phố",
    "thị xã", "vụ", "công trình", "gói thầu", "đầu số", "điểm phục vụ", "lao động",
    "chứng thư", "bản ghi", "trang văn bản", "khách", "cơ sở", "đảng viên", "hội viên",
    "đoàn viên", "phần trăm",
), key=len, reverse=True))
