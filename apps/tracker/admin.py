"""Django admin for curators of the record: every model with its history, inlines where a curator
works on one thing at a time, and changelists whose query count does not grow with their rows."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.checks import InlineModelAdminChecks
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Subquery, UniqueConstraint
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet, BaseModelFormSet, modelformset_factory
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from simple_history.admin import SimpleHistoryAdmin

from apps.news.models import ArticleLink
from apps.news.services import confirm_link

from . import services
from .models import (
    Actor,
    Affiliation,
    Agreement,
    AgreementDocument,
    Alias,
    ChallengeParty,
    Event,
    LegalChallenge,
    Party,
    Position,
    Statement,
    Topic,
    format_date_with_precision,
)
from .services import position_for_statement

# Curators paste bare domains; Django 6 reads them as https, and so do we already.
HTTPS_URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}

RECORD_FIELDSET = (
    "Record",
    {"fields": ("created_at", "updated_at"), "classes": ("collapse",)},
)


def count_of(model, fk: str, **filters) -> Coalesce:
    """How many `model` rows point at the outer row through `fk`, as one correlated subquery.

    Subqueries rather than Count() over joins: several counts on one changelist would multiply
    each other's rows, and a subquery keeps each changelist at a fixed number of queries.
    """
    counted = (
        model.objects.filter(**{fk: OuterRef("pk")}, **filters)
        .order_by()
        .values(fk)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def admin_link(obj, label=None):
    """A link to obj's admin change page, or an empty string for no object."""
    if obj is None:
        return "—"
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, label if label is not None else obj)


def merge_action(merge, *, description="Merge the two selected records…"):
    """An admin action that merges two selected records after a preview of what will move.

    `merge(survivor=, duplicate=, user=)` is the service that does it."""

    @admin.action(description=description, permissions=["change", "delete"])
    def action(modeladmin, request, queryset):
        records = list(queryset.order_by("pk")[:3])
        if len(records) != 2:
            modeladmin.message_user(
                request, "Select exactly two records to merge.", messages.WARNING
            )
            return None
        chosen = request.POST.get("survivor")
        if request.POST.get("confirm") == "yes" and chosen in {str(r.pk) for r in records}:
            survivor = next(r for r in records if str(r.pk) == chosen)
            duplicate = next(r for r in records if r is not survivor)
            try:
                report = merge(survivor=survivor, duplicate=duplicate, user=request.user)
            except services.MergeError as exc:
                modeladmin.message_user(request, str(exc), messages.ERROR)
                return None
            moved = sum(report.moved.values())
            folded = sum(report.folded.values())
            modeladmin.message_user(
                request,
                f"Merged {report.duplicate_label} into {survivor}: {moved} reference(s) "
                f"re-pointed, {folded} folded into the survivor's own; its old address "
                "now redirects here.",
                messages.SUCCESS,
            )
            opts = survivor._meta
            return HttpResponseRedirect(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[survivor.pk])
            )
        options = [
            {
                "survivor": survivor,
                "duplicate": duplicate,
                "plan": services.plan_merge(survivor=survivor, duplicate=duplicate),
            }
            for survivor, duplicate in (records, records[::-1])
        ]
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": f"Merge two {queryset.model._meta.verbose_name_plural}",
            "opts": queryset.model._meta,
            "options": options,
            "records": records,
            "action": request.POST.get("action", ""),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/merge_confirmation.html", context)

    action.__name__ = "merge_selected"
    return action


class CuratedAdmin(SimpleHistoryAdmin):
    """Defaults shared by every curated model: timestamps read-only, history one click away."""

    readonly_fields = ("created_at", "updated_at")
    formfield_overrides = HTTPS_URL_FIELDS
    list_per_page = 50
    show_full_result_count = False


# --- Inlines ---------------------------------------------------------------------------------


class ConstraintCheckingInlineFormSet(BaseInlineFormSet):
    """An inline formset that checks the model's constraints on the inline's own foreign key.

    Django leaves that key out of an inline row's validation, and compares rows with each other
    only under unconditional unique constraints. So a second "ICE" alias on ICE, an article
    linked twice, or a person affiliated with themself reached the database and came back as an
    IntegrityError (a 500 that lost the curator's edit) instead of an error on the row.
    """

    def clean(self):
        super().clean()
        parent_saved = self.instance.pk is not None
        seen = {}
        for form in self.forms:
            if not form.is_valid() or self._should_delete_form(form) or not form.has_changed():
                continue
            exclude = form._get_validation_exclusions()
            if not parent_saved:
                # Without the parent's id the key is unknown, and a check on it would fail.
                exclude.add(self.fk.name)
            try:
                form.instance.validate_constraints(exclude=exclude)
            except ValidationError as error:
                form.add_error(None, error.messages)
                continue
            for constraint in self._conditional_unique_constraints():
                key = (
                    constraint.name,
                    *(
                        form.cleaned_data.get(name)
                        for name in constraint.fields
                        if name != self.fk.name
                    ),
                )
                if key in seen:
                    form.add_error(None, constraint.get_violation_error_message())
                seen[key] = form

    def _conditional_unique_constraints(self):
        """Unique constraints that include the inline's key and hold under a condition: the ones
        Django's own formset check between rows leaves out."""
        return [
            constraint
            for constraint in self.model._meta.constraints
            if isinstance(constraint, UniqueConstraint)
            and constraint.condition is not None
            and self.fk.name in constraint.fields
        ]


class CuratedInline(admin.TabularInline):
    formset = ConstraintCheckingInlineFormSet


class AliasInline(CuratedInline):
    model = Alias
    fields = ("text", "case_sensitive")
    extra = 0
    verbose_name_plural = "aliases (names used to recognise it in articles)"


class ActorAliasInline(AliasInline):
    fk_name = "actor"


class AgreementAliasInline(AliasInline):
    fk_name = "agreement"


class ChallengeAliasInline(AliasInline):
    fk_name = "challenge"


class AffiliationInline(CuratedInline):
    model = Affiliation
    fk_name = "person"
    fields = ("role", "organization", "start_date", "end_date")
    autocomplete_fields = ("organization",)
    extra = 0
    verbose_name_plural = "affiliations (for a person: roles held)"


class PartyInline(CuratedInline):
    model = Party
    fields = ("actor", "role", "signed_by", "signed_on", "sequence")
    autocomplete_fields = ("actor", "signed_by")
    extra = 0


class PositionInline(CuratedInline):
    model = Position
    fields = ("actor", "stance", "summary", "statement_count")
    readonly_fields = ("statement_count",)
    autocomplete_fields = ("actor",)
    show_change_link = True
    extra = 0

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("actor")
            .annotate(statement_count=count_of(Statement, "position"))
        )

    @admin.display(description="Statements")
    def statement_count(self, obj):
        return getattr(obj, "statement_count", 0)


class EventInline(admin.StackedInline):
    """Events entered whole on their agreement's or case's page: what, when (and how exactly
    that is known), who, and the sources."""

    model = Event
    formset = ConstraintCheckingInlineFormSet
    fields = (
        ("title", "kind"),
        ("date", "date_precision", "sequence"),
        "description",
        "actors",
        "sources",
    )
    autocomplete_fields = ("actors", "sources")
    show_change_link = True
    extra = 0
    classes = ("compact-inline",)


class AgreementEventInline(EventInline):
    fk_name = "agreement"


class ChallengeEventInline(EventInline):
    fk_name = "challenge"


class AgreementDocumentInline(CuratedInline):
    model = AgreementDocument
    fields = ("title", "url", "published_on")
    formfield_overrides = HTTPS_URL_FIELDS
    extra = 0


class ArticleLinkInline(CuratedInline):
    """Articles linked to the agreement. Decisions on existing links go through the review
    queue, so that who decided is recorded; a link added here is the curator's own, confirmed."""

    model = ArticleLink
    fk_name = "agreement"
    fields = ("article", "status", "score", "decided_by", "decided_at")
    readonly_fields = ("status", "score", "decided_by", "decided_at")
    autocomplete_fields = ("article",)
    show_change_link = True
    extra = 0
    verbose_name_plural = "article links"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article", "decided_by")


class ChallengePartyInline(CuratedInline):
    model = ChallengeParty
    fields = ("actor", "role", "represents", "sequence")
    autocomplete_fields = ("actor", "represents")
    extra = 0


class AgreementStatementForm(forms.ModelForm):
    """A statement on the agreement's page: the stakeholder and stance name its position."""

    stakeholder = forms.ModelChoiceField(
        queryset=Actor.objects.all(),
        required=False,
        help_text="Whose position it states; leave blank when the speaker speaks for themself.",
    )
    stance = forms.ChoiceField(choices=Position.Stance.choices, initial=Position.Stance.UNCLEAR)
    source_url = forms.URLField(
        label="Source URL",
        max_length=1000,
        required=False,
        assume_scheme="https",
        help_text="The original post or document, when there is one.",
    )

    class Meta:
        model = Statement
        fields = (
            "speaker",
            "speaker_label",
            "kind",
            "text",
            "said_on",
            "said_on_precision",
            "venue",
            "source",
            "source_url",
            "sequence",
        )

    def __init__(self, *args, admin_site=None, **kwargs):
        super().__init__(*args, **kwargs)
        if admin_site is not None:
            stakeholder = self.fields["stakeholder"]
            stakeholder.widget = AutocompleteSelect(
                Statement._meta.get_field("speaker"), admin_site
            )
            stakeholder.widget.choices = stakeholder.choices
        if self.instance.pk:
            self.fields["stakeholder"].initial = self.instance.position.actor_id
            self.fields["stance"].initial = self.instance.position.stance


class AgreementStatementFormSet(BaseModelFormSet):
    """Statements of every position on one agreement, saved through the service that resolves
    (or creates) the stakeholder's position. Statement has no key to the agreement, so this is
    a model formset given the agreement, not an inline formset."""

    def __init__(
        self,
        data=None,
        files=None,
        instance=None,
        save_as_new=False,
        prefix=None,
        queryset=None,
        **kwargs,
    ):
        self.instance = instance if instance is not None else Agreement()
        queryset = queryset if queryset is not None else Statement.objects.all()
        if self.instance.pk is None:
            queryset = queryset.none()
        else:
            queryset = queryset.filter(position__agreement=self.instance)
        super().__init__(data, files, prefix=prefix, queryset=queryset, **kwargs)

    @classmethod
    def get_default_prefix(cls):
        return "agreement_statements"

    def _save_statement(self, form, commit):
        statement = form.save(commit=False)
        statement.position = position_for_statement(
            agreement=self.instance,
            actor=form.cleaned_data.get("stakeholder") or form.cleaned_data["speaker"],
            stance=form.cleaned_data["stance"],
        )
        if commit:
            statement.save()
        return statement

    def save_new(self, form, commit=True):
        return self._save_statement(form, commit)

    def save_existing(self, form, obj, commit=True):
        return self._save_statement(form, commit)


class WithoutForeignKeyChecks(InlineModelAdminChecks):
    def _check_relation(self, obj, parent_model):
        return []

    def _check_exclude_of_parent_model(self, obj, parent_model):
        return []


class AgreementStatementInline(admin.StackedInline):
    """Statements entered on the agreement's page, each with its stakeholder and stance."""

    model = Statement
    form = AgreementStatementForm
    formset = AgreementStatementFormSet
    checks_class = WithoutForeignKeyChecks
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("stakeholder", "stance"),
                    ("speaker", "speaker_label"),
                    "text",
                    ("kind", "said_on", "said_on_precision"),
                    ("source", "source_url"),
                    ("venue", "sequence"),
                )
            },
        ),
    )
    autocomplete_fields = ("speaker", "source")
    formfield_overrides = HTTPS_URL_FIELDS
    extra = 0
    verbose_name = "statement"
    verbose_name_plural = "statements (each names its stakeholder's position)"
    classes = ("compact-inline",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("position__actor", "speaker", "source")
            .order_by("position__actor__name", "said_on", "sequence", "id")
        )

    def get_formset(self, request, obj=None, **kwargs):
        fields = [
            name
            for name in flatten_fieldsets(self.get_fieldsets(request, obj))
            if name not in ("stakeholder", "stance")
        ]
        can_delete = self.can_delete and self.has_delete_permission(request, obj)
        form = type(
            "BoundAgreementStatementForm",
            (self.form,),
            {"__init__": _with_admin_site(self.form.__init__, self.admin_site)},
        )
        return modelformset_factory(
            Statement,
            form=form,
            formset=self.formset,
            fields=fields,
            formfield_callback=lambda field, **kw: self.formfield_for_dbfield(
                field, request=request, **kw
            ),
            extra=self.get_extra(request, obj),
            min_num=self.get_min_num(request, obj),
            max_num=self.get_max_num(request, obj),
            can_delete=can_delete,
        )


def _with_admin_site(init, admin_site):
    def __init__(self, *args, **kwargs):
        init(self, *args, admin_site=admin_site, **kwargs)

    return __init__


class StatementInline(admin.StackedInline):
    model = Statement
    formset = ConstraintCheckingInlineFormSet
    fields = (
        ("speaker", "speaker_label"),
        ("kind", "said_on", "said_on_precision"),
        "text",
        ("source", "source_url"),
        ("venue", "sequence"),
    )
    autocomplete_fields = ("speaker", "source")
    formfield_overrides = HTTPS_URL_FIELDS
    extra = 0


# --- Model admins ----------------------------------------------------------------------------


@admin.register(Topic)
class TopicAdmin(CuratedAdmin):
    list_display = ("name", "slug", "agreement_count", "updated_at")
    search_fields = ("name", "slug")
    ordering = ("name",)
    fieldsets = ((None, {"fields": ("name", "slug", "description")}), RECORD_FIELDSET)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(agreement_count=count_of(Agreement.topics.through, "topic"))
        )

    @admin.display(description="Agreements", ordering="agreement_count")
    def agreement_count(self, obj):
        return obj.agreement_count


@admin.register(Actor)
class ActorAdmin(CuratedAdmin):
    list_display = ("name", "kind", "parent", "alias_list", "party_count", "updated_at")
    list_filter = ("kind",)
    list_select_related = ("parent",)
    search_fields = ("name", "slug", "aliases__text", "wikidata_qid")
    autocomplete_fields = ("parent",)
    ordering = ("name", "id")
    inlines = (ActorAliasInline, AffiliationInline)
    actions = (merge_action(lambda **kw: services.merge_actors(**kw)),)
    fieldsets = (
        (None, {"fields": ("name", "slug", "kind", "parent", "description")}),
        ("External identifiers", {"fields": ("wikidata_qid", "website")}),
        RECORD_FIELDSET,
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(party_count=count_of(Party, "actor"))
            .prefetch_related("aliases")
        )

    @admin.display(description="Aliases")
    def alias_list(self, obj):
        return ", ".join(alias.text for alias in obj.aliases.all())

    @admin.display(description="Parties to", ordering="party_count")
    def party_count(self, obj):
        return obj.party_count


@admin.register(Affiliation)
class AffiliationAdmin(CuratedAdmin):
    list_display = ("person", "role", "organization", "start_date", "end_date")
    list_select_related = ("person", "organization")
    search_fields = ("person__name", "organization__name", "role")
    autocomplete_fields = ("person", "organization")
    fieldsets = (
        (None, {"fields": ("person", "role", "organization", ("start_date", "end_date"))}),
        RECORD_FIELDSET,
    )


class StaleFilter(admin.SimpleListFilter):
    title = "not updated for 180 days"
    parameter_name = "stale"

    def lookups(self, request, model_admin):
        return [("yes", "Stale")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.stale()
        return queryset


@admin.register(Agreement)
class AgreementAdmin(CuratedAdmin):
    list_display = (
        "title",
        "kind",
        "status",
        "signed_on",
        "effective_on",
        "party_count",
        "position_count",
        "event_count",
        "suggested_link_count",
        "updated_at",
    )
    list_filter = ("status", "kind", "topics", StaleFilter)
    search_fields = ("title", "slug", "aliases__text", "summary")
    autocomplete_fields = ("topics",)
    date_hierarchy = "signed_on"
    ordering = ("title", "id")
    inlines = (
        AgreementAliasInline,
        PartyInline,
        PositionInline,
        AgreementStatementInline,
        AgreementEventInline,
        AgreementDocumentInline,
        ArticleLinkInline,
    )
    fieldsets = (
        (None, {"fields": ("title", "slug", "kind", "status", "summary", "topics")}),
        (
            "Key dates",
            {"fields": (("announced_on", "signed_on"), ("effective_on", "expires_on"))},
        ),
        RECORD_FIELDSET,
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                party_count=count_of(Party, "agreement"),
                position_count=count_of(Position, "agreement"),
                event_count=count_of(Event, "agreement"),
                suggested_link_count=count_of(
                    ArticleLink, "agreement", status=ArticleLink.Status.SUGGESTED
                ),
            )
        )

    @admin.display(description="Parties", ordering="party_count")
    def party_count(self, obj):
        return obj.party_count

    @admin.display(description="Positions", ordering="position_count")
    def position_count(self, obj):
        return obj.position_count

    @admin.display(description="Events", ordering="event_count")
    def event_count(self, obj):
        return obj.event_count

    @admin.display(description="To review", ordering="suggested_link_count")
    def suggested_link_count(self, obj):
        if not obj.suggested_link_count:
            return 0
        url = reverse("admin:news_articlelink_changelist")
        return format_html(
            '<a href="{}?agreement__id__exact={}">{}</a>', url, obj.pk, obj.suggested_link_count
        )

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is ArticleLink:
            # A link a curator adds by hand is already their decision.
            for link in formset.new_objects:
                confirm_link(link=link, user=request.user)


@admin.register(AgreementDocument)
class AgreementDocumentAdmin(CuratedAdmin):
    list_display = ("title", "agreement", "published_on", "url")
    list_select_related = ("agreement",)
    search_fields = ("title", "url", "agreement__title")
    autocomplete_fields = ("agreement",)
    date_hierarchy = "published_on"
    fieldsets = (
        (None, {"fields": ("agreement", "title", "url", "published_on")}),
        RECORD_FIELDSET,
    )


@admin.register(Alias)
class AliasAdmin(CuratedAdmin):
    list_display = ("text", "case_sensitive", "target_link")
    list_filter = ("case_sensitive",)
    list_select_related = ("actor", "agreement", "challenge")
    search_fields = ("text", "actor__name", "agreement__title", "challenge__caption")
    autocomplete_fields = ("actor", "agreement", "challenge")
    fieldsets = (
        (None, {"fields": ("text", "case_sensitive")}),
        (
            "Belongs to",
            {
                "fields": ("actor", "agreement", "challenge"),
                "description": "Exactly one: the actor, agreement or legal challenge it names.",
            },
        ),
        RECORD_FIELDSET,
    )

    @admin.display(description="Belongs to")
    def target_link(self, obj):
        target = obj.target
        if target is None:
            return "—"
        return format_html("{}: {}", target._meta.verbose_name, admin_link(target))


@admin.register(Party)
class PartyAdmin(CuratedAdmin):
    list_display = ("actor", "role", "agreement", "signed_by", "signed_on")
    list_filter = ("role",)
    list_select_related = ("actor", "agreement", "signed_by")
    search_fields = ("actor__name", "agreement__title", "signed_by__name")
    autocomplete_fields = ("agreement", "actor", "signed_by")
    fieldsets = (
        (None, {"fields": ("agreement", "actor", "role", "sequence")}),
        ("Signature", {"fields": ("signed_by", "signed_on")}),
        RECORD_FIELDSET,
    )


@admin.register(Position)
class PositionAdmin(CuratedAdmin):
    list_display = ("actor", "stance", "agreement", "statement_count", "updated_at")
    list_filter = ("stance",)
    list_select_related = ("actor", "agreement")
    search_fields = ("actor__name", "agreement__title", "summary")
    autocomplete_fields = ("actor", "agreement")
    inlines = (StatementInline,)
    fieldsets = (
        (None, {"fields": ("agreement", "actor", "stance", "summary")}),
        RECORD_FIELDSET,
    )

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(statement_count=count_of(Statement, "position"))
        )

    @admin.display(description="Statements", ordering="statement_count")
    def statement_count(self, obj):
        return obj.statement_count


class HasSourceFilter(admin.SimpleListFilter):
    title = "has a source"
    parameter_name = "sourced"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No — unsourced")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(source__isnull=True, source_url="")
        if self.value() == "no":
            return queryset.filter(source__isnull=True, source_url="")
        return queryset


@admin.register(Statement)
class StatementAdmin(CuratedAdmin):
    list_display = ("short_text", "speaker", "position", "source", "said", "kind")
    list_filter = ("kind", "position__stance", HasSourceFilter)
    list_select_related = ("speaker", "position__actor", "position__agreement", "source")
    search_fields = ("text", "speaker__name", "speaker_label", "position__agreement__title")
    autocomplete_fields = ("position", "speaker", "source")
    date_hierarchy = "said_on"
    fieldsets = (
        (None, {"fields": ("position", ("speaker", "speaker_label"), "kind", "text")}),
        ("When and where", {"fields": (("said_on", "said_on_precision"), "venue", "sequence")}),
        (
            "Source",
            {
                "fields": ("source", "source_url"),
                "description": "The article that reports it and/or the original post or document.",
            },
        ),
        RECORD_FIELDSET,
    )

    @admin.display(description="Statement")
    def short_text(self, obj):
        return Truncator(obj.text).chars(80)

    @admin.display(description="Said", ordering="said_on")
    def said(self, obj):
        return format_date_with_precision(obj.said_on, obj.said_on_precision)


@admin.register(LegalChallenge)
class LegalChallengeAdmin(CuratedAdmin):
    list_display = ("caption", "court", "docket_number", "filed_on", "status", "event_count")
    list_filter = ("status",)
    list_select_related = ("court",)
    search_fields = ("caption", "slug", "docket_number", "aliases__text", "court__name")
    autocomplete_fields = ("court", "agreements")
    date_hierarchy = "filed_on"
    ordering = ("-filed_on", "caption", "id")
    inlines = (ChallengePartyInline, ChallengeAliasInline, ChallengeEventInline)
    fieldsets = (
        (None, {"fields": ("caption", "slug", "status", "summary", "agreements")}),
        ("Court", {"fields": ("court", "docket_number", "filed_on")}),
        RECORD_FIELDSET,
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(event_count=count_of(Event, "challenge"))

    @admin.display(description="Events", ordering="event_count")
    def event_count(self, obj):
        return obj.event_count


@admin.register(ChallengeParty)
class ChallengePartyAdmin(CuratedAdmin):
    list_display = ("actor", "role", "challenge", "represented")
    list_filter = ("role",)
    list_select_related = ("actor", "challenge")
    search_fields = ("actor__name", "challenge__caption")
    autocomplete_fields = ("challenge", "actor", "represents")
    fieldsets = (
        (None, {"fields": ("challenge", "actor", "role", "represents", "sequence")}),
        RECORD_FIELDSET,
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("represents")

    @admin.display(description="Represents")
    def represented(self, obj):
        return ", ".join(actor.name for actor in obj.represents.all()) or "—"


class EventSourcedFilter(admin.SimpleListFilter):
    title = "has sources"
    parameter_name = "has_sources"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No — unsourced")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(source_count__gt=0)
        if self.value() == "no":
            return queryset.filter(source_count=0)
        return queryset


@admin.register(Event)
class EventAdmin(CuratedAdmin):
    list_display = (
        "title",
        "when",
        "kind",
        "agreement",
        "challenge",
        "source_count",
        "sourcing",
    )
    list_filter = (EventSourcedFilter, "kind", "date_precision")
    list_select_related = ("agreement", "challenge")
    search_fields = ("title", "description", "agreement__title", "challenge__caption")
    autocomplete_fields = ("agreement", "challenge", "actors", "sources")
    date_hierarchy = "date"
    ordering = ("-date", "-date_precision", "-sequence", "-id")
    fieldsets = (
        (None, {"fields": ("title", "kind", ("date", "date_precision"), "description")}),
        (
            "Belongs to",
            {
                "fields": ("agreement", "challenge", "sequence"),
                "description": "The agreement, the legal challenge, or both.",
            },
        ),
        ("Who and sources", {"fields": ("actors", "sources")}),
        RECORD_FIELDSET,
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(source_count=count_of(Event.sources.through, "event"))
        )

    @admin.display(description="When", ordering="date")
    def when(self, obj):
        return obj.display_date

    @admin.display(description="Sources", ordering="source_count")
    def source_count(self, obj):
        return obj.source_count

    @admin.display(description="Sourcing")
    def sourcing(self, obj):
        if obj.source_count:
            return "sourced"
        return format_html('<strong class="unsourced">{}</strong>', "UNSOURCED")
