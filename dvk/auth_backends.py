from django.core.exceptions import PermissionDenied


class CrossAppPermissionGuard:
    """Sits between the rules backend and django-guardian's.

    Django asks every backend in turn; guardian raises WrongAppError when a permission of one
    app is asked about another app's object (campaigns.add_campaign on an Organization). Such
    pairs are answered by the rules backend alone, so once it has said no, this one stops the
    chain (Django treats PermissionDenied from a backend as a final no)."""

    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm, obj=None):
        if obj is not None and "." in perm and perm.split(".", 1)[0] != obj._meta.app_label:
            raise PermissionDenied
        return False
