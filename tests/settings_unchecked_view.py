"""Test settings whose URL conf adds a view nobody wrote an outsider case for."""

from dvk.settings.test import *  # noqa: F403

ROOT_URLCONF = "tests.urls_unchecked_view"
