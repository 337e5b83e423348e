"""Measures how many characters of Vietnamese running text the detailed model report (báo cáo
chi tiết, seed 004 III) holds on 5 A4 pages, to set appraisal.enums.REPORT_CHARACTERS_PER_PAGE.

The layout is the administrative one of Decree 30/2020/NĐ-CP: A4, margins 2 cm top and bottom,
3 cm left, 2 cm right, a Times-like serif at 14 pt (Times New Roman; Liberation Serif has the
same metrics and is what the server has), line height 1.15, justified paragraphs with a first
line indent of 1 cm and 6 pt between paragraphs. The report's six headings (the first one with
the model's name, subject and period, taken from the registration) are laid out in bold; only
the characters of the five text fields count toward the budget, as the page counts them.

The script fills the five fields evenly with real Vietnamese sentences, paragraphs of a few
hundred characters, and searches for the largest number of characters that still renders on
5 pages. Run once, from the repository root:

    .venv/bin/python scripts/measure_report_budget.py

It prints the characters on 5 pages and the figure per page (rounded down), which is what
appraisal/enums.py holds.
"""

import sys

from weasyprint import HTML

PAGES = 5
HEADINGS = (
    "1. Tên mô hình, chủ thể thực hiện, thời gian triển khai",
    "2. Mục đích, ý nghĩa, phạm vi ảnh hưởng của mô hình",
    "3. Nội dung, cách thức triển khai thực hiện qua các giai đoạn",
    "4. Kết quả đạt được (có số liệu, minh chứng cụ thể, phân tích hiệu quả qua thời gian 5 năm)",
    "5. Đánh giá về tính sáng tạo, bền vững, mức độ lan tỏa và sự tham gia của Nhân dân",
    "6. Bài học kinh nghiệm, kiến nghị",
)
FIRST_HEADING_LINES = (
    "Tên mô hình: “Mỗi ngày tiết kiệm 1.000 đồng để làm việc nghĩa”",
    "Chủ thể thực hiện: Chi bộ Xóm 5, xã Diễn Châu",
    "Thời gian triển khai: từ tháng 3/2022 đến tháng 12/2026",
)
SENTENCES = (
    "Chi bộ đã lãnh đạo các đoàn thể trong xóm tuyên truyền, vận động hội viên và Nhân dân tham gia mô hình.",
    "Mỗi hộ gia đình tự nguyện tiết kiệm mỗi ngày 1.000 đồng, cuối tháng nộp cho tổ trưởng để lập quỹ.",
    "Quỹ được dùng để thăm hỏi, hỗ trợ các gia đình có hoàn cảnh khó khăn, người già neo đơn, trẻ em mồ côi.",
    "Ban vận động công khai thu chi hằng tháng tại nhà văn hóa xóm và trên nhóm Zalo của xóm.",
    "Qua 5 năm thực hiện, mô hình đã quyên góp được hơn 180 triệu đồng, hỗ trợ 46 lượt hộ khó khăn.",
    "Đảng viên gương mẫu đi đầu, mỗi đảng viên phụ trách vận động từ 5 đến 7 hộ gia đình trong xóm.",
    "Mô hình được Đảng ủy xã biểu dương, nhân rộng ra 12 chi bộ xóm khác trên địa bàn xã.",
    "Sự đồng thuận của Nhân dân được nâng lên, các vụ việc mâu thuẫn ở cơ sở giảm rõ rệt so với trước.",
    "Cách làm đơn giản, dễ thực hiện, không tốn kém, phù hợp với điều kiện của người dân nông thôn.",
    "Bài học rút ra là phải phát huy vai trò nêu gương của cán bộ, đảng viên và tinh thần tự quản của Nhân dân.",
)
CSS = """
@page { size: A4; margin: 2cm 2cm 2cm 3cm; }
body { font-family: "Times New Roman", "Liberation Serif", serif; font-size: 14pt; line-height: 1.15; }
h2 { font-size: 14pt; font-weight: bold; margin: 6pt 0 3pt 0; }
p { margin: 0 0 6pt 0; text-indent: 1cm; text-align: justify; hyphens: manual; }
p.line { text-indent: 0; margin: 0; }
"""
PARAGRAPH_CHARACTERS = 450


def field_text(characters, offset):
    """About `characters` of running text, in paragraphs separated by a newline (as a person
    types them in the form, the newline counted as one character)."""
    paragraphs, current, i = [], "", offset
    while len("\n".join([*paragraphs, current])) < characters:
        sentence = SENTENCES[i % len(SENTENCES)]
        i += 1
        if current and len(current) + 1 + len(sentence) > PARAGRAPH_CHARACTERS:
            paragraphs.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}" if current else sentence
    paragraphs.append(current)
    text = "\n".join(paragraphs)
    return text[:characters]


def report_html(characters):
    per_field = characters // 5
    fields = [field_text(per_field + (1 if i < characters % 5 else 0), i * 3) for i in range(5)]
    parts = [f"<h2>{HEADINGS[0]}</h2>"] + [f'<p class="line">{line}</p>' for line in FIRST_HEADING_LINES]
    for heading, text in zip(HEADINGS[1:], fields, strict=True):
        parts.append(f"<h2>{heading}</h2>")
        parts.extend(f"<p>{paragraph}</p>" for paragraph in text.split("\n") if paragraph)
    counted = sum(len(text) for text in fields)
    html = (
        f'<html lang="vi"><head><meta charset="utf-8"><style>{CSS}</style></head><body>{"".join(parts)}</body></html>'
    )
    assert counted == characters, (counted, characters)
    return html, counted


def pages(characters):
    html, _counted = report_html(characters)
    return len(HTML(string=html).render().pages)


def main():
    low, high = 1000, 40000
    assert pages(low) <= PAGES < pages(high)
    while high - low > 10:
        middle = (low + high) // 2
        if pages(middle) <= PAGES:
            low = middle
        else:
            high = middle
    per_page = low // PAGES
    print(f"{low} characters fill {PAGES} A4 pages: REPORT_CHARACTERS_PER_PAGE = {per_page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
