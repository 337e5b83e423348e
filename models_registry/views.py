"""STUB: being written."""


def open_campaigns(request, org_code, **kwargs):
    raise NotImplementedError


def registration_create(request, org_code, **kwargs):
    raise NotImplementedError


def registration_detail(request, org_code, **kwargs):
    raise NotImplementedError


def registration_edit(request, org_code, **kwargs):
    raise NotImplementedError


def registration_autosave(request, org_code, **kwargs):
    raise NotImplementedError


def registration_submit(request, org_code, **kwargs):
    raise NotImplementedError


def registration_withdraw(request, org_code, **kwargs):
    raise NotImplementedError


def registration_review(request, org_code, **kwargs):
    raise NotImplementedError

