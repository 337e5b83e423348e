"""STUB: being written."""


def report_create(request, org_code, **kwargs):
    raise NotImplementedError


def evidence_upload(request, org_code, **kwargs):
    raise NotImplementedError


def evidence_download(request, org_code, **kwargs):
    raise NotImplementedError


def evidence_thumbnail(request, org_code, **kwargs):
    raise NotImplementedError


def evidence_delete(request, org_code, **kwargs):
    raise NotImplementedError

