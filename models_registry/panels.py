"""Panels later apps add to the registration page (appraisal: the recognition dossier and the
board's visits); see dvk.panels."""

from dvk.panels import Panels

_panels = Panels()

register_registration_panel = _panels.register
registration_panels = _panels.shown
