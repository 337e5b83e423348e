"""Fixtures of the appraisal tests."""

from tests.appraisal.offline_network import server_requests  # noqa: F401  (a fixture)
