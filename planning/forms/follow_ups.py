"""Forms of the follow-up page (actions) and the reminder rules of a mission."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from messaging import reminders
from messaging.enums import ReminderAnchor
from messaging.models import ReminderRule
from missions.display import user_name
from missions.models import FollowUpAction, Mission
from organisations.models import Organisation, Person
from organisations.selectors import organisation_options
from planning.forms.pickers import picker_choices
from planning.services.follow_ups import contact_options, owner_choices

AGREED_MAX_LENGTH = 2000
MAX_RULES = 12


class FollowUpActionForm(forms.ModelForm):
    agreed = forms.CharField(
        label=_("What was agreed"),
        max_length=AGREED_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    class Meta:
        model = FollowUpAction
        fields = ["organisation", "contact", "agreed", "owner", "due_date", "status"]
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {
            "owner": _("A planner of the organising organisations; reminded on the due date."),
            "due_date": _("The owner gets a reminder at 09:00 on this day, mission time."),
        }

    def __init__(self, *args, mission: Mission, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.mission = mission
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")
        contact = self.fields["contact"]
        contact.queryset = Person.objects.select_related("organisation").order_by("full_name")
        picker_choices(self, "organisation", organisation_options)
        picker_choices(self, "contact", contact_options, label=_person_label)
        current = self.instance.owner if self.instance.owner_id else None
        self.fields["owner"].queryset = owner_choices(mission, current=current)
        self.fields["owner"].label_from_instance = user_name


def _person_label(person: Person) -> str:
    if person.organisation_id:
        return f"{person.full_name}, {person.organisation.name}"
    return person.full_name


# REMINDER RULES -------------------------------------------------------------------------


class ReminderRuleForm(forms.Form):
    # Blank first choices: the empty row for a new rule is left out unless filled in.
    kind = forms.ChoiceField(
        label=_("Reminder"),
        choices=[("", "—"), *ReminderRule._meta.get_field("kind").choices],
    )
    days = forms.IntegerField(label=_("Days"), min_value=0, max_value=365)
    anchor = forms.ChoiceField(label=_("When"), choices=[("", "—"), *ReminderAnchor.choices])
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def clean(self) -> dict:
        cleaned = super().clean()
        kind, anchor = cleaned.get("kind"), cleaned.get("anchor")
        if kind and anchor and anchor not in reminders.ANCHORS_OF_KIND[kind]:
            self.add_error(
                "anchor",
                _("A reminder before the mission goes out a number of days before it starts."),
            )
        return cleaned

    def rule(self) -> reminders.Rule:
        data = self.cleaned_data
        return reminders.Rule(data["kind"], data["anchor"], data["days"], data["is_active"])


class BaseReminderRuleFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        # The table's head labels the columns only: each input is named with its row.
        number = _("new rule") if index is None else index + 1
        for field in form.fields.values():
            field.widget.attrs["aria-label"] = _("%(field)s, rule %(number)s") % {
                "field": field.label,
                "number": number,
            }

    def clean(self) -> None:
        if any(form.errors for form in self.forms if not self._should_delete_form(form)):
            return
        kept = [form.rule() for form in self.kept_forms()]
        seen = set()
        for rule in kept:
            key = (rule.kind, rule.anchor, rule.days)
            if key in seen:
                raise forms.ValidationError(_("The same reminder is listed twice."))
            seen.add(key)
        if not kept:
            raise forms.ValidationError(
                _("Keep at least one rule; to send no reminders, untick “Active” instead.")
            )

    def kept_forms(self) -> list[ReminderRuleForm]:
        return [
            form for form in self.forms if form.cleaned_data and not self._should_delete_form(form)
        ]

    def rules(self) -> list[reminders.Rule]:
        return [form.rule() for form in self.kept_forms()]


ReminderRuleFormSet = forms.formset_factory(
    ReminderRuleForm,
    formset=BaseReminderRuleFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_RULES,
    validate_max=True,
    absolute_max=MAX_RULES,
)


def reminder_rule_initial(mission: Mission) -> list[dict]:
    """The mission's rules, or the defaults, as the formset's initial rows."""
    return [
        {"kind": r.kind, "anchor": r.anchor, "days": r.days, "is_active": r.is_active}
        for r in reminders.rules_of(mission)
    ]


def formset_helper() -> FormHelper:
    helper = FormHelper()
    helper.template = "bootstrap5/table_inline_formset.html"
    helper.form_tag = False
    helper.disable_csrf = True  # the page's own form carries the token
    return helper
