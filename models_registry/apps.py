from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModelsRegistryConfig(AppConfig):
    name = "models_registry"
    verbose_name = _("Đăng ký mô hình")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The unit picker of the open-campaigns page searches through dvk's picker endpoint;
        # dvk never imports this app, so the app brings its source.
        from . import pickers

        pickers.register()
