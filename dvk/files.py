"""Serving stored files that people uploaded (evidence, opinions on a dossier): one way, so
every download carries the same defences whichever app checks who may have it."""

from django.http import FileResponse, Http404


def open_stored(field):
    """The stored file, opened through the storage API (works on S3 as on disk); 404 if gone."""
    try:
        return field.storage.open(field.name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None


def stored_file_response(field, *, content_type, filename=None):
    """A download of `field` (an attachment named `filename`, or inline when None) that the
    browser must not sniff, cache for others, or let run or load anything."""
    if filename is None:
        response = FileResponse(open_stored(field), content_type=content_type)
        response["Content-Disposition"] = "inline"
    else:
        response = FileResponse(open_stored(field), as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=0, must-revalidate"
    # Even if a browser were to render it, the file can run nothing and load nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
