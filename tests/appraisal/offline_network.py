"""A tablet with no network, for the browser tests of the offline app.

"Offline" is three things, since `set_offline` does not cut the service worker's own fetches
(microsoft/playwright#2311): the context is set offline, every route is aborted, and the live
server drops, unanswered, every request it still receives in that phase, recording its path
(a recorder on its request handler), so a test can assert nothing reached it."""

import pytest


class ServerRequests(list):
    """The path of every request the live server received while the tablet was offline."""

    offline = False

    def unexpected(self):
        # The browser's own update check of the worker script (no user data) escapes both
        # set_offline and route (microsoft/playwright#2311); it is dropped like the others.
        return [path for path in self if path != "/sw.js"]


@pytest.fixture
def server_requests(monkeypatch):
    from django.core.servers import basehttp

    seen = ServerRequests()
    original = basehttp.WSGIRequestHandler.get_environ

    def recording(self):
        environ = original(self)
        if seen.offline:
            seen.append(environ.get("PATH_INFO", ""))
            raise ConnectionResetError("offline")  # the live server closes the connection quietly
        return environ

    monkeypatch.setattr(basehttp.WSGIRequestHandler, "get_environ", recording)
    return seen


def go_offline(context, server_requests):
    server_requests.offline = True
    context.route("**/*", lambda route: route.abort())
    context.set_offline(True)


def go_online(context, server_requests):
    # In this order: the `online` event (set_offline(False)) starts a sync at once.
    server_requests.offline = False
    context.unroute("**/*")
    context.set_offline(False)
