from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisalConfig(AppConfig):
    name = "appraisal"
    verbose_name = _("Thẩm định mô hình")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Earlier apps never import this one: appraisal joins their extension points here.
        from campaigns import signals as campaign_signals
        from campaigns.panels import register_campaign_panel
        from campaigns.reminders import register_sweep_extension
        from dvk.seats import register_seat_source
        from models_registry.panels import register_registration_panel

        from . import board_views, dossier_views, meeting_views, receivers, reminders, seats, views, visit_views

        campaign_signals.campaign_copied.connect(receivers.copy_rubric_with_campaign, dispatch_uid="appraisal.copy")
        campaign_signals.campaign_derived.connect(receivers.copy_rubric_to_derived, dispatch_uid="appraisal.derive")
        register_campaign_panel(views.rubric_panel)
        register_campaign_panel(board_views.board_panel)
        register_seat_source(seats.board_seats)
        register_registration_panel(visit_views.visits_panel)
        register_registration_panel(dossier_views.dossier_panel)
        register_registration_panel(meeting_views.decisions_panel)
        register_sweep_extension(reminders.EXTENSION)
