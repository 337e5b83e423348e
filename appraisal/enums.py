"""Fixed values of appraisal: the default rubric a campaign starts from (editable per campaign)."""

from django.utils.translation import gettext_lazy as _

# The criteria every campaign starts from (DOMAIN.md §7: effectiveness, creativity,
# sustainability, spread, the people's participation): a member's total is the plain sum of
# the points, out of 100.
DEFAULT_CRITERIA = (
    (_("Hiệu quả"), 30),
    (_("Sáng tạo"), 20),
    (_("Bền vững"), 20),
    (_("Lan tỏa và khả năng nhân rộng"), 15),
    (_("Sự tham gia và hài lòng của Nhân dân"), 15),
)
DEFAULT_THRESHOLD = 70
# Bands from the highest down: a total at or above `min` earns `name`.
DEFAULT_BANDS = (
    (_("Xuất sắc"), 90),
    (_("Tốt"), 80),
    (_("Đạt"), 70),
)
