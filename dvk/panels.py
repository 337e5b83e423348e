"""Panels later apps add to an earlier app's page, without the earlier app importing them.

An earlier app keeps one `Panels` per page (campaigns: the campaign page; models_registry: the
registration page). A later app registers a function in its `AppConfig.ready()`; the page calls
each with (request, obj) and renders what it returns: a (template name, context) pair, or None
to show nothing (the user may not see it). A panel must read a fixed number of rows, so the
page's queries stay constant."""


class Panels:
    def __init__(self):
        self._functions = []

    def register(self, fn):
        """Adds `fn(request, obj) -> (template, context) | None`; registering twice is once."""
        if fn not in self._functions:
            self._functions.append(fn)
        return fn

    def unregister(self, fn):
        if fn in self._functions:
            self._functions.remove(fn)

    def shown(self, request, obj):
        """The panels to show, as dicts with `template` and `context`, in registration order."""
        shown = []
        for fn in self._functions:
            result = fn(request, obj)
            if result is not None:
                template, context = result
                shown.append({"template": template, "context": context})
        return shown
