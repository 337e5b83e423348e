"""What every form of the product does, from dvk.forms.BootstrapMixin: a field a refused POST
flags is outlined in red (is-invalid on the input itself), a select's empty choice is in
Vietnamese, a date field says how to type a date in Vietnamese."""

import re

import pytest
from django import forms

from campaigns.enums import CampaignStatus
from dvk.forms import BootstrapMixin
from tests.campaigns.builders import campaign


def marked(page):
    """Names of the inputs carrying is-invalid."""
    names = set()
    for tag in re.findall(r"<(?:input|textarea|select)\b[^>]*>", page):
        if re.search(r'class="[^"]*\bis-invalid\b', tag):
            names.add(re.search(r'name="([^"]+)"', tag).group(1))
    return names


def test_a_refused_campaign_form_marks_the_fields_it_names(as_commune_staff):
    data = {"number": "", "title": "", "period_start": "31/02/2026", "period_end": "01/01/2026", "issuing_body": ""}
    response = as_commune_staff.post("/o/COMM/campaigns/new/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert marked(page) == set(response.context["form"].errors)
    assert {"number", "title", "period_start", "issuing_body", "issuing_body_name"} <= marked(page)
    assert "is-invalid" not in as_commune_staff.get("/o/COMM/campaigns/new/").content.decode()


def test_a_service_refusal_marks_its_field_too(as_commune_staff):
    """Errors a service raises after the form was valid (attach_errors) mark the same way."""
    data = {"number": "05-KH/ĐU", "title": "T", "issuing_body": "party_committee", "issuing_body_name": "X"}
    data |= {"period_start": "01/06/2026", "period_end": "01/01/2026"}
    response = as_commune_staff.post("/o/COMM/campaigns/new/", data)
    assert response.status_code == 400
    assert marked(response.content.decode()) == {"period_end"}


def test_campaign_and_milestone_forms_speak_vietnamese(tree, as_commune_staff):
    page = as_commune_staff.get("/o/COMM/campaigns/new/").content.decode()
    assert "---------" not in page and "dd/mm/yyyy" not in page
    assert '<option value="" selected>— Chọn —</option>' in page  # cơ quan ban hành
    assert page.count('placeholder="ngày/tháng/năm"') == 3
    draft = campaign(tree.commune, "12-KH/ĐU", status=CampaignStatus.DRAFT)
    page = as_commune_staff.get(f"/o/COMM/campaigns/{draft.pk}/milestones/new/").content.decode()
    assert "---------" not in page and "dd/mm/yyyy" not in page
    assert '<option value="" selected>— Chọn —</option>' in page  # loại mốc
    assert page.count('placeholder="ngày/tháng/năm"') == 3


class Sample(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(choices=[("", "---------"), ("a", "A")])
    own_label = forms.ChoiceField(choices=[("", "Mọi loại"), ("a", "A")], required=False)
    day = forms.DateField(widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}))


@pytest.mark.parametrize("data, invalid", [({}, set()), ({"day": "x"}, {"kind", "day"})])
def test_the_mixin_on_any_form(data, invalid):
    form = Sample(data or None)
    form.is_valid()
    page = str(form)
    assert marked(page) == invalid
    assert "---------" not in page and "— Chọn —" in page and "Mọi loại" in page  # a form's own label stays
    assert 'placeholder="ngày/tháng/năm"' in page


def test_the_password_change_page_marks_its_refused_fields(commune_staff):
    from tests.conftest import client_for

    data = {"old_password": "sai", "new_password1": "abc", "new_password2": "xyz"}
    response = client_for(commune_staff).post("/accounts/password/change/", data)
    assert response.status_code == 200  # Django's own view re-renders with 200
    page = response.content.decode()
    assert marked(page) == set(response.context["form"].errors)
    assert "old_password" in marked(page)
