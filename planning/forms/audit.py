"""The filter of the audit log page."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _


class AuditFilterForm(forms.Form):
    """Which of the viewer's missions to show the entries of (all when none is picked)."""

    mission = forms.ModelChoiceField(
        label=_("Mission"), queryset=None, required=False, empty_label=_("All missions")
    )

    def __init__(self, *args, missions: QuerySet, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mission"].queryset = missions

    @property
    def chosen_mission(self):
        return self.cleaned_data.get("mission") if self.is_valid() else None
