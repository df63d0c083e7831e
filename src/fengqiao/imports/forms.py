"""Forms of the import pages: the upload, and the column mapping prefilled from the detected one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from fengqiao.events.models import Category, Source
from fengqiao.imports import mappings as m
from fengqiao.imports.models import ColumnMapping

if TYPE_CHECKING:  # django-stubs-ext is a type-checking aid, not a runtime dependency
    from django_stubs_ext import StrOrPromise

IMPORT_SOURCES = [Source.HOTLINE_12345, Source.POLICE_110, Source.ONLINE_OPINION, Source.CITIZEN,
                  Source.WALK_IN, Source.VIDEO]
MAX_UPLOAD_BYTES = 100 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (.xlsx or .csv)"),
                           help_text=_("As the 12345 or 110 platform exports it; CSV in UTF-8 or GBK."))
    source = forms.ChoiceField(label=_("Source"), initial=Source.HOTLINE_12345)
    mapping = forms.ChoiceField(label=_("Column mapping"), required=False,
                                help_text=_("Detected from the header unless you choose one."))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["source"]).choices = [(s.value, s.label) for s in IMPORT_SOURCES]
        choices: list[tuple[str, Any]] = [("", _("Detect from the header"))]
        choices += [(key, label) for key, (_src, label, _h, _l) in m.BUILTINS.items()]
        choices += [(c.name, c.name) for c in ColumnMapping.objects.order_by("name")]
        cast(forms.ChoiceField, self.fields["mapping"]).choices = choices

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than %(n)d MB.") % {"n": MAX_UPLOAD_BYTES // 2**20})
        return upload


class MappingForm(forms.Form):
    """One select per field (the file's headers), one per unknown category label, the date
    format, and optionally a name to save the mapping under."""

    date_format = forms.CharField(
        label=_("Date format"), required=False, max_length=50,
        help_text=_("Only when the dates are in an unusual form, e.g. %d.%m.%Y %H:%M. "
                    "Usual forms (2026-11-26 09:30, 2026/11/26, 2026年11月26日 9时30分, Excel dates) are read anyway."),
    )
    save_as = forms.CharField(label=_("Save this mapping as"), required=False, max_length=100,
                              help_text=_("A name to pick it again for the next file (leave empty not to save)."))

    def __init__(self, *args: Any, header: list[str], mapping: m.Mapping,
                 labels: dict[str, tuple[int, str]], **kwargs: Any):
        """`labels`: the sender's category labels in the file → (rows, the code they resolve to
        now, or "" when unknown)."""
        super().__init__(*args, **kwargs)
        self.mapping = mapping
        header_choices = [("", "—")] + [(h, h) for h in header if h]
        self.field_names: list[str] = []
        for f in m.FIELDS:
            name = f"col_{f.key}"
            self.fields[name] = forms.ChoiceField(
                label=f.label, choices=header_choices, required=f.required,
                initial=mapping.columns.get(f.key, ""),
            )
            self.field_names.append(name)
        self.fields["date_format"].initial = mapping.date_format
        category_choices: list[tuple[str, StrOrPromise]] = [("", _("— choose —"))] + [
            (c.code, f"{c.parent.name} / {c.name}" if c.parent is not None else c.name)
            for c in Category.objects.filter(active=True).select_related("parent").order_by("sort", "code")
        ]
        # (form field, sender's label, rows, resolved code): the unknown labels first
        self.label_fields: list[tuple[str, str, int, str]] = []
        ordered = sorted(labels.items(), key=lambda kv: (bool(kv[1][1]), -kv[1][0], kv[0]))
        for i, (label, (rows, code)) in enumerate(ordered):
            name = f"label_{i}"
            self.fields[name] = forms.ChoiceField(
                label=label, choices=category_choices, required=False, initial=code,
            )
            self.label_fields.append((name, label, rows, code))

    def columns_bound(self):
        return [self[n] for n in self.field_names]

    def labels_bound(self):
        return [(self[name], label, rows, code) for name, label, rows, code in self.label_fields]

    def clean(self):
        data = super().clean()
        chosen: dict[str, str] = {}
        for f in m.FIELDS:
            header = data.get(f"col_{f.key}") or ""
            if header and header in chosen.values():
                other = next(k for k, v in chosen.items() if v == header)
                self.add_error(f"col_{f.key}", _("“%(h)s” is already chosen for “%(f)s”.")
                               % {"h": header, "f": m.FIELD_LABEL[other]})
            if header:
                chosen[f.key] = header
        return data

    def result(self) -> m.Mapping:
        d = self.cleaned_data
        columns = {f.key: d[f"col_{f.key}"] for f in m.FIELDS if d.get(f"col_{f.key}")}
        categories = dict(self.mapping.categories)
        for name, label, _rows, resolved in self.label_fields:
            if d.get(name) and (d[name] != resolved or label in categories):
                categories[label] = d[name]
        return m.Mapping(name=self.mapping.name, source=self.mapping.source, columns=columns,
                         categories=categories, date_format=(d.get("date_format") or "").strip(),
                         builtin=self.mapping.builtin, saved_id=self.mapping.saved_id)
