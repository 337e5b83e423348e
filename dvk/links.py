"""Absolute links in mail: they start with DVK_SITE_URL, never with the Host a request came in on.

A mail is read later, elsewhere: the address must be the one users open DVK at (production
requires DVK_SITE_URL; `make run` sets it to its own port), and a request's Host header is
only as trustworthy as ALLOWED_HOSTS.
"""

from urllib.parse import urlsplit

from django.conf import settings


def site_url():
    return settings.DVK_SITE_URL.rstrip("/")


def mail_link_context():
    """`protocol` and `domain` for Django's password-reset style templates
    (`{{ protocol }}://{{ domain }}{% url ... %}`), taken from DVK_SITE_URL."""
    parts = urlsplit(site_url())
    return {"protocol": parts.scheme, "domain": parts.netloc + parts.path, "site_url": site_url()}
