"""Outbox files as a tablet exports them (docs/OFFLINE.md, "The outbox file"), and the staff
import page's addresses, for the import tests."""

import base64
import io
import json
import os
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dvk.offline import user_key


def new_key():
    return uuid.uuid4().hex


def jpeg_bytes(size=(40, 30), colour="green", *, noisy=False):
    """A real JPEG; `noisy`: random pixels, which compress badly (a photo of some size)."""
    out = io.BytesIO()
    if noisy:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, colour)
    image.save(out, "JPEG")
    return out.getvalue()


def scorecard_item(assignment, body, *, key=None, org="COMM"):
    return {
        "kind": "scorecard",
        "org": org,
        "assignment": assignment.pk if hasattr(assignment, "pk") else assignment,
        "key": key or new_key(),
        "label": "Mô hình",
        "created_at": "2026-12-02T13:04:00+07:00",
        "body": body,
    }


def photo_item(assignment, content, *, name="anh-20261202-1304-1.jpg", key=None, org="COMM"):
    return {
        "kind": "photo",
        "org": org,
        "assignment": assignment.pk,
        "key": key or new_key(),
        "label": "Mô hình",
        "created_at": "2026-12-02T13:05:00+07:00",
        "name": name,
        "type": "image/jpeg",
        "data": base64.b64encode(content).decode() if isinstance(content, bytes) else content,
    }


def delete_item(assignment, photo_pk, *, key=None, org="COMM"):
    return {
        "kind": "photo_delete",
        "org": org,
        "assignment": assignment.pk,
        "key": key or new_key(),
        "label": "Mô hình",
        "created_at": "2026-12-02T13:06:00+07:00",
        "photo": photo_pk,
    }


def outbox_file(user, items, **overrides):
    data = {
        "format": "dvk-outbox",
        "version": 1,
        "exported_at": "2026-12-02T14:05:00+07:00",
        "user": user_key(user),
        "user_name": user.full_name,
        "items": items,
        **overrides,
    }
    return json.dumps(data).encode()


def import_url(board, rest=""):
    return f"/o/COMM/appraisal/boards/{board.pk}/outbox-import/{rest}"


def post_import(client, board, content, *, name="hop-thu-di.json", key=None):
    upload = SimpleUploadedFile(name, content, content_type="application/json")
    return client.post(import_url(board), {"file": upload, "idempotency_key": key or new_key()})
