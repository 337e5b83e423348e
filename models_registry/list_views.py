"""STUB: being written."""


def registration_list(request, org_code, **kwargs):
    raise NotImplementedError


def registration_bulk(request, org_code, **kwargs):
    raise NotImplementedError


def registration_export(request, org_code, **kwargs):
    raise NotImplementedError


def registration_import(request, org_code, **kwargs):
    raise NotImplementedError


def registration_import_template(request, org_code, **kwargs):
    raise NotImplementedError

