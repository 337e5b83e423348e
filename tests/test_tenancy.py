import pytest
from django_scopes import ScopeError, scope, scopes_disabled

from dvk.models import TreeImport
from dvk.scoping import IssuedByOrganization
from dvk.selectors import tree_imports_here


@pytest.fixture
def imports(tree, commune_staff, outsider):
    with scopes_disabled():
        here = TreeImport.objects.create(organization=tree.commune, imported_by=commune_staff, file_name="a.xlsx")
        below = TreeImport.objects.create(organization=tree.unit, imported_by=commune_staff, file_name="b.xlsx")
        sibling = TreeImport.objects.create(organization=tree.sibling, imported_by=outsider, file_name="c.xlsx")
    return here, below, sibling


def test_unscoped_query_on_tenant_model_raises(imports):
    with pytest.raises(ScopeError):
        list(TreeImport.objects.all())
    with pytest.raises(ScopeError):
        TreeImport.objects.filter(file_name="a.xlsx").exists()
    with pytest.raises(ScopeError):
        TreeImport.objects.count()


def test_produced_data_is_seen_from_its_subtree_upward(tree, imports):
    here, below, sibling = imports
    with scope(org=tree.commune):
        assert set(tree_imports_here()) == {here, below}
    with scope(org=tree.unit):
        assert list(tree_imports_here()) == [below]
    with scope(org=tree.province):
        assert set(tree_imports_here()) == {here, below, sibling}
    with scope(org=tree.sibling):
        assert list(tree_imports_here()) == [sibling]


def test_issued_data_rule_reaches_down_only_when_published(tree):
    """The downward rule used by campaigns and rubrics: a draft never leaks downward."""

    class Issued(IssuedByOrganization):
        class Meta:
            app_label = "dvk"
            abstract = True

        @classmethod
        def published_q(cls, through=""):
            from django.db.models import Q

            return Q(organization__name__startswith="Tỉnh")  # stands in for status=published

    from dvk.models import Organization

    def visible(acting, issuer):
        return Organization.objects.filter(pk=issuer.pk).filter(_as_org_q(Issued.visible_to(acting))).exists()

    def _as_org_q(q):
        # Evaluate the rule against Organization itself: rename organization__x to x.
        from django.db.models import Q

        children = []
        for child in q.children:
            if isinstance(child, Q):
                children.append(_as_org_q(child))
            else:
                key, value = child
                children.append((key.removeprefix("organization__"), value))
        new = Q(*children, _connector=q.connector, _negated=q.negated)
        return new

    assert visible(tree.unit, tree.province)  # published by an ancestor: seen below
    assert not visible(tree.unit, tree.commune)  # ancestor's unpublished row: not seen below
    assert visible(tree.commune, tree.commune)  # own row
    assert visible(tree.province, tree.commune)  # the issuer's subtree is seen from above
    assert not visible(tree.sibling, tree.commune)  # never a sibling's


def test_child_rows_are_seen_exactly_where_their_parent_is(tree):
    """Quota lines, milestones and targets follow their parent's rule: a unit sees the quota
    lines of its commune's published plan, not of its draft; a sibling commune sees neither,
    even when it asks for the child by id without going through the parent."""
    import datetime

    from campaigns.models import Milestone, Quota
    from models_registry.models import RegistrationTarget
    from tests.campaigns.builders import campaign, quota
    from tests.registry.builders import complete_registration

    published = campaign(tree.commune, "01-KH/ĐU", registration_due=datetime.date(2026, 3, 5))
    draft = campaign(tree.commune, "02-KH/ĐU", status="draft", registration_due=datetime.date(2026, 3, 5))
    line = quota(published, "Mỗi chi bộ ít nhất 01 mô hình", min_total=1)
    draft_line = quota(draft, "Dự thảo", min_total=1)
    registration = complete_registration(published, tree.unit)
    with scopes_disabled():
        target = registration.targets.get()
    with scope(org=tree.unit):
        assert list(Quota.objects.all()) == [line]
        assert set(Milestone.objects.values_list("campaign_id", flat=True)) == {published.pk}
        assert list(RegistrationTarget.objects.all()) == [target]
    with scope(org=tree.mttq):
        assert not RegistrationTarget.objects.filter(pk=target.pk).exists()
    with scope(org=tree.commune):
        assert set(Quota.objects.all()) == {line, draft_line}
    with scope(org=tree.sibling):
        assert not Quota.objects.filter(pk__in=[line.pk, draft_line.pk]).exists()
        assert not Milestone.objects.exists()
        assert not RegistrationTarget.objects.filter(pk=target.pk).exists()
