"""Form data of the rubric page, as a browser sends it."""

DEFAULT = [
    ("Hiệu quả", 30),
    ("Sáng tạo", 20),
    ("Bền vững", 20),
    ("Lan tỏa và khả năng nhân rộng", 15),
    ("Sự tham gia và hài lòng của Nhân dân", 15),
]
BANDS = [("Xuất sắc", 90), ("Tốt", 80), ("Đạt", 70)]


def rubric_form(criteria=DEFAULT, *, threshold=70, bands=BANDS, version=0, deleted=(), order=None, key=None):
    data = {
        "version": str(version),
        "threshold": "" if threshold is None else str(threshold),
        "criteria-TOTAL_FORMS": str(len(criteria)),
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
        "bands-TOTAL_FORMS": str(len(bands)),
        "bands-INITIAL_FORMS": "0",
        "bands-MIN_NUM_FORMS": "0",
        "bands-MAX_NUM_FORMS": "1000",
    }
    for i, (name, points) in enumerate(criteria):
        data[f"criteria-{i}-name"] = name
        data[f"criteria-{i}-description"] = ""
        data[f"criteria-{i}-max_points"] = "" if points is None else str(points)
        data[f"criteria-{i}-required"] = "on"
        data[f"criteria-{i}-ORDER"] = str((order or {}).get(i, i + 1))
        if i in deleted:
            data[f"criteria-{i}-DELETE"] = "on"
    for i, (name, points) in enumerate(bands):
        data[f"bands-{i}-name"] = name
        data[f"bands-{i}-min"] = str(points)
    if key:
        data["idempotency_key"] = key
    return data
