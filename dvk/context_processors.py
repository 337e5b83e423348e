from .selectors import organizations_of


def acting_organization(request):
    """The organisation the request acts for, and the user's others for the switcher."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "acting_org": getattr(request, "organization", None),
        "my_organizations": organizations_of(user),
        "dvk_demo": __import__("django.conf").conf.settings.DVK_DEMO,
    }
