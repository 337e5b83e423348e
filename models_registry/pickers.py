"""The registry's search picker source (dvk/pickers.py), registered from AppConfig.ready():
the core does not import this app."""

from django.utils.translation import gettext_lazy as _lazy

from dvk.pickers import OrganizationSource, register_source

from .selectors import registering_units


class RegisteringUnitSource(OrganizationSource):
    """The units the user may register for below the acting organisation (the open-campaigns
    page's "Đăng ký cho đơn vị"): matched like any organisation, by name without diacritics or
    by code, with its place in the tree, but never one outside the user's rights: a sibling
    unit's secretary finds only its own unit, whatever it types."""

    key = "registering-units"

    def typed_placeholder(self, multiple):
        return _lazy("Mã đơn vị")

    def candidates(self, request, root):
        return registering_units(request.user, root)


def register():
    register_source(RegisteringUnitSource())
