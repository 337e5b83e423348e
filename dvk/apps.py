from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DvkConfig(AppConfig):
    name = "dvk"
    verbose_name = _("Dân vận khéo")
    default_auto_field = "django.db.models.BigAutoField"
