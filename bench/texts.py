"""Text templates for the benchmark news site, in English and Vietnamese.

Everything here is written for the benchmark (no recorded article is reused): headline and
sentence templates with slots, filled by ``bench.site`` from a seeded ``random.Random`` so every
page is reproducible. Ordinary news (weather, traffic, markets, sport, schools, health, culture)
makes up most of a site; about one article in ten reports international cooperation in media
(news agencies, broadcasters, newspapers, ministries of information signing, producing,
training or meeting together), the kind of article coopwatch keeps as an item.
"""

from __future__ import annotations

import random

CITIES = {
    "en": ["Hà Nội", "Huế", "Đà Nẵng", "HCM City", "Hải Phòng", "Cần Thơ", "Nha Trang",
           "Vientiane", "Phnom Penh", "Quảng Ninh", "Nghệ An", "Lào Cai", "Đồng Nai"],
    "vi": ["Hà Nội", "Huế", "Đà Nẵng", "TP Hồ Chí Minh", "Hải Phòng", "Cần Thơ", "Nha Trang",
           "Viêng Chăn", "Phnôm Pênh", "Quảng Ninh", "Nghệ An", "Lào Cai", "Đồng Nai"],
}
PEOPLE = {
    "en": ["Nguyễn Văn Hùng", "Trần Thị Mai", "Lê Quang Minh", "Phạm Thu Hà", "Đỗ Đức Anh",
           "Vũ Hoàng Long", "Bùi Thanh Hương", "Hoàng Minh Tuấn"],
    "vi": ["Nguyễn Văn Hùng", "Trần Thị Mai", "Lê Quang Minh", "Phạm Thu Hà", "Đỗ Đức Anh",
           "Vũ Hoàng Long", "Bùi Thanh Hương", "Hoàng Minh Tuấn"],
}
MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
    "vi": [f"tháng {n}" for n in range(1, 13)],
}

# --- ordinary news -------------------------------------------------------------------------

HEADLINES = {
    "en": [
        "{city} to upgrade {n} kilometres of urban roads before rainy season",
        "Heavy rain forecast for northern provinces this weekend",
        "{city} schools prepare for new academic year with {n} more classrooms",
        "Exports of farm produce rise {pct} per cent in first {m} months",
        "Flower market returns to {city} old quarter for the festival",
        "National football team names squad for regional qualifiers",
        "Hospitals in {city} expand emergency wards as dengue cases rise",
        "{city} opens new bus routes linking suburbs to the centre",
        "Rice prices steady as harvest begins in the Mekong Delta",
        "Museum in {city} reopens after two-year renovation",
        "Traffic police step up checks on drink driving during holiday",
        "Start-ups in {city} draw record venture funding",
    ],
    "vi": [
        "{city} nâng cấp {n} km đường đô thị trước mùa mưa",
        "Dự báo mưa lớn tại các tỉnh phía Bắc cuối tuần này",
        "Các trường học ở {city} chuẩn bị năm học mới với {n} phòng học mới",
        "Xuất khẩu nông sản tăng {pct}% trong {m} tháng đầu năm",
        "Chợ hoa xuân trở lại phố cổ {city}",
        "Đội tuyển bóng đá quốc gia công bố danh sách dự vòng loại",
        "Bệnh viện ở {city} mở rộng khoa cấp cứu khi số ca sốt xuất huyết tăng",
        "{city} mở thêm tuyến xe buýt nối ngoại thành với trung tâm",
        "Giá lúa ổn định khi đồng bằng sông Cửu Long bước vào vụ thu hoạch",
        "Bảo tàng ở {city} mở cửa trở lại sau hai năm tu bổ",
        "Cảnh sát giao thông tăng cường kiểm tra nồng độ cồn dịp nghỉ lễ",
        "Doanh nghiệp khởi nghiệp ở {city} thu hút vốn đầu tư kỷ lục",
    ],
}
SENTENCES = {
    "en": [
        "The city's Department of Transport said work would start in {month} and finish within "
        "{n} months.",
        "According to the provincial People's Committee, about {n} households will benefit from "
        "the project.",
        "Local residents welcomed the plan but asked for clearer information on detours.",
        "Temperatures are expected to fall to around {t} degrees Celsius in mountainous areas.",
        "The National Centre for Hydro-Meteorological Forecasting warned of flash floods and "
        "landslides.",
        "Director {person} said the department had prepared enough staff and equipment.",
        "Prices at wholesale markets rose slightly compared with the previous week.",
        "Exporters said demand from regional markets remained strong despite higher freight "
        "costs.",
        "The ministry asked localities to report progress before the end of {month}.",
        "More than {n} visitors came to the event on the first day, organisers said.",
        "The coach said the players were in good form after a training camp in {city}.",
        "Doctors advised people to remove standing water and to sleep under mosquito nets.",
        "The project has a total investment of {n} billion đồng from the city budget.",
        "Officials said the new timetable would reduce waiting times by {pct} per cent.",
        "Farmers in the delta have harvested about {pct} per cent of the winter-spring crop.",
        "The renovated galleries show more than {n} objects, many displayed for the first time.",
        "Police fined {n} drivers in the first three days of the campaign.",
        "Investors were most interested in logistics, education technology and clean energy.",
        "The plan will be submitted to the city council at its meeting in {month}.",
        "Several streets in the old quarter will be closed to traffic in the evenings.",
        "Teachers said the extra classrooms would ease crowding in suburban districts.",
        "The weather is forecast to improve from the middle of next week.",
    ],
    "vi": [
        "Sở Giao thông Vận tải cho biết công trình sẽ khởi công vào {month} và hoàn thành trong "
        "{n} tháng.",
        "Theo Ủy ban nhân dân tỉnh, khoảng {n} hộ dân sẽ được hưởng lợi từ dự án.",
        "Người dân địa phương hoan nghênh kế hoạch nhưng mong có thông tin rõ hơn về lộ trình "
        "tránh.",
        "Nhiệt độ ở vùng núi có thể giảm xuống khoảng {t} độ C.",
        "Trung tâm Dự báo khí tượng thủy văn quốc gia cảnh báo nguy cơ lũ quét và sạt lở đất.",
        "Giám đốc {person} cho biết sở đã chuẩn bị đủ nhân lực và trang thiết bị.",
        "Giá tại các chợ đầu mối tăng nhẹ so với tuần trước.",
        "Các doanh nghiệp xuất khẩu cho biết nhu cầu từ thị trường khu vực vẫn mạnh dù cước vận "
        "chuyển tăng.",
        "Bộ đề nghị các địa phương báo cáo tiến độ trước cuối {month}.",
        "Ban tổ chức cho biết hơn {n} lượt khách đã đến tham quan trong ngày đầu tiên.",
        "Huấn luyện viên cho biết các cầu thủ đang có phong độ tốt sau đợt tập huấn tại {city}.",
        "Bác sĩ khuyến cáo người dân loại bỏ nước đọng và ngủ màn để phòng muỗi đốt.",
        "Dự án có tổng vốn đầu tư {n} tỷ đồng từ ngân sách thành phố.",
        "Lãnh đạo thành phố cho biết lịch trình mới sẽ giảm thời gian chờ khoảng {pct}%.",
        "Nông dân ở đồng bằng đã thu hoạch khoảng {pct}% diện tích lúa đông xuân.",
        "Các phòng trưng bày sau tu bổ giới thiệu hơn {n} hiện vật, nhiều hiện vật lần đầu ra mắt.",
        "Lực lượng cảnh sát đã xử phạt {n} người điều khiển phương tiện trong ba ngày đầu.",
        "Nhà đầu tư quan tâm nhất tới lĩnh vực logistics, công nghệ giáo dục và năng lượng sạch.",
        "Kế hoạch sẽ được trình Hội đồng nhân dân thành phố tại kỳ họp {month}.",
        "Một số tuyến phố trong khu phố cổ sẽ cấm xe vào buổi tối.",
        "Giáo viên cho biết các phòng học mới sẽ giảm tình trạng quá tải ở ngoại thành.",
        "Thời tiết dự kiến chuyển biến tốt từ giữa tuần sau.",
    ],
}

# --- international cooperation in media ---------------------------------------------------

PARTNERS = [  # (organisation en, organisation vi, country en, country vi)
    ("Lao News Agency (KPL)", "Hãng Thông tấn Lào (KPL)", "Laos", "Lào"),
    ("China Media Group (CMG)", "Tổng đài Phát thanh Truyền hình Trung ương Trung Quốc (CMG)",
     "China", "Trung Quốc"),
    ("Agence Kampuchea Presse (AKP)", "Thông tấn xã Campuchia (AKP)", "Cambodia", "Campuchia"),
    ("Prensa Latina", "Hãng thông tấn Prensa Latina", "Cuba", "Cuba"),
    ("Kyodo News", "Hãng thông tấn Kyodo", "Japan", "Nhật Bản"),
    ("Yonhap News Agency", "Hãng thông tấn Yonhap", "South Korea", "Hàn Quốc"),
    ("the Lao Ministry of Information, Culture and Tourism",
     "Bộ Thông tin, Văn hóa và Du lịch Lào", "Laos", "Lào"),
    ("Pasaxon newspaper", "Báo Pasaxon", "Laos", "Lào"),
]
VN_PARTIES = [  # (en, vi)
    ("Vietnam News Agency (VNA)", "Thông tấn xã Việt Nam (TTXVN)"),
    ("Vietnam Television (VTV)", "Đài Truyền hình Việt Nam (VTV)"),
    ("the Voice of Vietnam (VOV)", "Đài Tiếng nói Việt Nam (VOV)"),
    ("Nhân Dân newspaper", "Báo Nhân Dân"),
    ("the Ministry of Information and Communications", "Bộ Thông tin và Truyền thông"),
]
COOP_HEADLINES = {
    "en": [
        "{vn_short} and {p_short} sign agreement on news exchange",
        "Việt Nam, {country} boost cooperation in press and media",
        "{vn_short}, {p_short} to jointly produce documentaries",
        "Journalists from Việt Nam and {country} attend training course in {city}",
    ],
    "vi": [
        "{vn_short} và {p_short} ký thỏa thuận trao đổi tin tức",
        "Việt Nam và {country} tăng cường hợp tác báo chí, truyền thông",
        "{vn_short} và {p_short} hợp tác sản xuất phim tài liệu",
        "Phóng viên Việt Nam và {country} tham gia khóa tập huấn tại {city}",
    ],
}
COOP_SENTENCES = {
    "en": [
        "On {day} {month}, {vn} and {partner} signed a memorandum of understanding on "
        "cooperation in information and news exchange in {city}.",
        "Under the agreement, the two sides will exchange news, photos and video, and send "
        "reporters on study visits to each other's newsrooms.",
        "The two agencies also agreed to jointly produce documentaries on the friendship between "
        "Việt Nam and {country}.",
        "{person}, head of {vn_short}, said media cooperation would help the people of the two "
        "countries understand each other better.",
        "The partners will organise a training course in digital journalism for {n} young "
        "reporters from Việt Nam and {country}.",
        "The delegation of {partner} paid a working visit to {vn} from {day} to {day2} {month}.",
        "Both sides reviewed the results of their cooperation programme for the past five years.",
    ],
    "vi": [
        "Ngày {day} {month}, tại {city}, {vn} và {partner} đã ký biên bản ghi nhớ hợp tác về "
        "trao đổi thông tin, tin tức.",
        "Theo thỏa thuận, hai bên sẽ trao đổi tin, ảnh, video và cử phóng viên sang học tập kinh "
        "nghiệm tại tòa soạn của nhau.",
        "Hai cơ quan cũng nhất trí hợp tác sản xuất phim tài liệu về tình hữu nghị giữa Việt Nam "
        "và {country}.",
        "Ông {person}, lãnh đạo {vn_short}, cho biết hợp tác báo chí giúp nhân dân hai nước hiểu "
        "nhau hơn.",
        "Hai bên sẽ tổ chức khóa tập huấn về báo chí số cho {n} phóng viên trẻ của Việt Nam và "
        "{country}.",
        "Đoàn công tác của {partner} đã thăm và làm việc tại {vn} từ ngày {day} đến ngày {day2} "
        "{month}.",
        "Hai bên đã đánh giá kết quả chương trình hợp tác trong 5 năm qua.",
    ],
}

# --- page furniture ------------------------------------------------------------------------

SECTIONS = {
    "en": ["politics", "society", "economy", "life-style", "sports", "world", "opinion",
           "environment", "health", "education", "travel", "science-technology"],
    "vi": ["chinh-tri", "xa-hoi", "kinh-te", "van-hoa", "the-thao", "the-gioi", "y-kien",
           "moi-truong", "suc-khoe", "giao-duc", "du-lich", "khoa-hoc-cong-nghe"],
}
SECTION_NAMES = {
    "en": ["Politics & Law", "Society", "Economy", "Life & Style", "Sports", "World", "Opinion",
           "Environment", "Health", "Education", "Travel", "Science & Technology"],
    "vi": ["Chính trị", "Xã hội", "Kinh tế", "Văn hóa", "Thể thao", "Thế giới", "Ý kiến",
           "Môi trường", "Sức khỏe", "Giáo dục", "Du lịch", "Khoa học - Công nghệ"],
}
FURNITURE = {
    "en": {"home": "Home", "related": "Related news", "most_read": "Most read",
           "tags": "Tags", "share": "Share", "subscribe": "Subscribe", "login": "Log in",
           "read_also": "Read also", "latest": "Latest news",
           "footer": "The National Daily. Licence No. {n}/GP-BTTTT. All rights reserved."},
    "vi": {"home": "Trang chủ", "related": "Tin liên quan", "most_read": "Đọc nhiều",
           "tags": "Từ khóa", "share": "Chia sẻ", "subscribe": "Đăng ký", "login": "Đăng nhập",
           "read_also": "Xem thêm", "latest": "Tin mới nhất",
           "footer": "Cơ quan chủ quản: Bộ Thông tin và Truyền thông. Giấy phép số {n}/GP-BTTTT. "
                     "Ghi rõ nguồn khi phát hành lại thông tin từ website này."},
}


def fill(template: str, rng: random.Random, lang: str, **fixed: str) -> str:
    """Fill a template's slots with random but plausible values (``fixed`` ones win)."""
    day = rng.randint(1, 27)
    values = {
        "city": rng.choice(CITIES[lang]), "person": rng.choice(PEOPLE[lang]),
        "month": rng.choice(MONTHS[lang]), "n": str(rng.randint(3, 900)),
        "pct": str(rng.randint(2, 45)), "m": str(rng.randint(2, 11)),
        "t": str(rng.randint(3, 14)), "day": str(day), "day2": str(day + 1),
    }
    values.update(fixed)
    return template.format(**values)


def cooperation_parties(rng: random.Random, lang: str) -> dict[str, str]:
    """The slots of one cooperation story: a Vietnamese party and a foreign one."""
    vn_en, vn_vi = rng.choice(VN_PARTIES)
    p_en, p_vi, country_en, country_vi = rng.choice(PARTNERS)
    vn, partner = (vn_en, p_en) if lang == "en" else (vn_vi, p_vi)
    country = country_en if lang == "en" else country_vi
    return {"vn": vn, "partner": partner, "country": country,
            "vn_short": _short(vn), "p_short": _short(partner)}


def _short(name: str) -> str:
    """``Vietnam News Agency (VNA)`` → ``VNA``; names without an acronym stay whole."""
    if name.endswith(")") and "(" in name:
        return name[name.rindex("(") + 1:-1]
    return name.removeprefix("the ")


def headline(rng: random.Random, lang: str, parties: dict[str, str] | None) -> str:
    if parties is None:
        return fill(rng.choice(HEADLINES[lang]), rng, lang)
    template = rng.choice(COOP_HEADLINES[lang])
    return fill(template, rng, lang, **parties)


def paragraphs(rng: random.Random, lang: str, parties: dict[str, str] | None,
               count: int) -> list[str]:
    """``count`` paragraphs of 2–5 sentences; a cooperation story opens with its own."""
    result = []
    if parties is not None:
        opening = COOP_SENTENCES[lang]
        picked = rng.sample(opening, k=min(len(opening), 4))
        result.append(" ".join(fill(s, rng, lang, **parties) for s in picked[:2]))
        result.append(" ".join(fill(s, rng, lang, **parties) for s in picked[2:]))
    while len(result) < count:
        picked = rng.sample(SENTENCES[lang], k=rng.randint(2, 5))
        result.append(" ".join(fill(s, rng, lang) for s in picked))
    return result
