"""Rules on metadata: what Kubernetes labels can hold.

On Kubernetes the owner and tags become labels on every object, and a label holds only ASCII
letters, digits, '-', '_' and '.' (at most 63 characters, alphanumeric at both ends). A value that
does not fit would have to be changed on the way (`サポート` → empty, `réclamations` → `r-clamations`);
the tool never changes a value silently, so such a value is refused here with the nearest one that
fits.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from blueprints.errors import Problem
from blueprints.spec.rules import RuleContext, rule

LABEL_NAME = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")
LABEL_PREFIX = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
LABEL_MAX = 63


def fits_label_value(text: str) -> bool:
    return len(text) <= LABEL_MAX and bool(LABEL_NAME.match(text))


def fits_label_key(text: str) -> bool:
    prefix, _, name = text.rpartition("/")
    if not name or not fits_label_value(name):
        return False
    return not prefix or (len(prefix) <= 253 and bool(LABEL_PREFIX.match(prefix)))


def nearest_label(text: str) -> str:
    """Accents off, other characters to '-', trimmed to 63: a suggestion, never applied silently."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", folded).strip("-_.")[:LABEL_MAX].rstrip("-_.")


@rule("label-value", "On Kubernetes, the owner and tags fit label syntax (they label every object).")
def label_value(ctx: RuleContext) -> Iterator[Problem]:
    if ctx.spec.target != "kubernetes":
        return
    meta = ctx.spec.metadata
    allowed = "ASCII letters, digits, '-', '_', '.'; alphanumeric at both ends; at most 63 characters"
    if meta.owner is not None and not fits_label_value(meta.owner):
        near = nearest_label(meta.owner)
        yield ctx.problem(
            ("metadata", "owner"),
            f"owner '{meta.owner}' cannot be a Kubernetes label value as written, and it labels every object",
            f"write it as a label can hold it, e.g. owner: {near}" if near else "write the owner in ASCII letters",
            value=meta.owner,
            allowed=allowed,
        )
    for key, value in meta.tags.items():
        if not fits_label_key(key):
            near = nearest_label(key)
            yield ctx.problem(
                ("metadata", "tags", key),
                f"tag key '{key}' cannot be a Kubernetes label key as written",
                f"rename the tag, e.g. {near}" if near else "name the tag in ASCII letters",
                value=key,
                allowed="[prefix/]name; name: " + allowed,
            )
        if not fits_label_value(value):
            near = nearest_label(value)
            yield ctx.problem(
                ("metadata", "tags", key),
                f"tag {key}: '{value}' cannot be a Kubernetes label value as written",
                f"write the value as a label can hold it, e.g. {key}: {near}"
                if near
                else "write the value in ASCII letters",
                value=value,
                allowed=allowed,
            )
