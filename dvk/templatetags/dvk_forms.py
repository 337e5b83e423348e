import uuid

from django import template
from django.utils.html import format_html

from dvk.idempotency import FIELD

register = template.Library()


@register.simple_tag
def idempotency_key():
    """A hidden key, new at each rendering of the page: a second press or a browser's retry
    of this form sends the same key and is applied once (dvk.idempotency)."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, uuid.uuid4().hex)
