"""Panels later apps add to the campaign page, without campaigns importing them.

A later app (appraisal: the campaign's rubric) registers a function in its
`AppConfig.ready()`; the campaign page calls each with (request, campaign) and renders what
it returns: a (template name, context) pair, or None to show nothing (the user may not see
it). A panel must read a fixed number of rows, so the page's queries stay constant."""

_panels = []


def register_campaign_panel(fn):
    """Adds `fn(request, campaign) -> (template, context) | None`; registering twice is once."""
    if fn not in _panels:
        _panels.append(fn)
    return fn


def campaign_panels(request, campaign):
    """The panels to show, as dicts with `template` and `context`, in registration order."""
    shown = []
    for fn in _panels:
        result = fn(request, campaign)
        if result is not None:
            template, context = result
            shown.append({"template": template, "context": context})
    return shown
