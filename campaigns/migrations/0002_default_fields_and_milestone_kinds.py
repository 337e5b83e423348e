from django.db import migrations

FIELDS = [
    ("kinh-te", "Kinh tế"),
    ("van-hoa-xa-hoi", "Văn hóa - xã hội"),
    ("quoc-phong-an-ninh", "Quốc phòng - an ninh"),
    ("ton-giao-dan-toc", "Tôn giáo - dân tộc"),
    ("xay-dung-he-thong-chinh-tri", "Xây dựng hệ thống chính trị"),
]

# code, name, sequence (logical order of dependent deadlines), is_window, what the sweep chases
MILESTONE_KINDS = [
    ("registration", "Hạn đăng ký mô hình", 1, False, "quota"),
    ("completion", "Hạn hoàn thành mô hình", 2, False, ""),
    ("survey", "Khảo sát thực tế", None, True, ""),
    ("result_report", "Hạn báo cáo kết quả", 3, False, "report"),
    ("award_dossier", "Hạn gửi hồ sơ khen thưởng", 4, False, ""),
    ("consolidated_report", "Hạn báo cáo tổng hợp", 5, False, ""),
    ("periodic_review", "Sơ kết, đánh giá định kỳ", None, False, "report"),
]


def add_defaults(apps, schema_editor):
    Field = apps.get_model("campaigns", "Field")
    MilestoneKind = apps.get_model("campaigns", "MilestoneKind")
    for position, (code, name) in enumerate(FIELDS):
        Field.objects.get_or_create(code=code, defaults={"name": name, "position": position})
    for code, name, sequence, is_window, chases in MILESTONE_KINDS:
        MilestoneKind.objects.get_or_create(
            code=code, defaults={"name": name, "sequence": sequence, "is_window": is_window, "chases": chases}
        )


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
