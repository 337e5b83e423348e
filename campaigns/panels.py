"""Panels later apps add to the campaign page (appraisal: the rubric, the board); see dvk.panels."""

from dvk.panels import Panels

_panels = Panels()

register_campaign_panel = _panels.register
campaign_panels = _panels.shown
