"""Engine versions AWS offers for new stores, in one place (the spec rules, the planner and the
components read it).

Aurora PostgreSQL: a cluster is created on the version the plan names. A major alone (`17`) lets RDS
pick that major's default minor at creation (the component looks it up with `rds.get_engine_version`
and `default_only`), so no retired minor is ever pinned here; a major.minor pins it. After creation
RDS owns the minor (auto minor version upgrades), see components/aws/aurora_cluster.py.

Source: Amazon Aurora PostgreSQL release calendars (Release Notes for Aurora PostgreSQL), checked
2026-12: 13 left standard support on 2026-02-28 (RDS Extended Support, billed, afterwards); 14, 15, 16
and 17 are in standard support. Minor versions leave standard support about a year after release
(RDS stopped creating new 16.5-16.8 and 17.1-17.4 databases in 2026), which is why the default is a
major alone. Add a major here when AWS releases it for Aurora.
"""

from __future__ import annotations

import re

AURORA_POSTGRESQL_DEFAULT = "17"
AURORA_POSTGRESQL_MAJORS = (14, 15, 16, 17)
"""Majors in Aurora standard support."""
AURORA_GLOBAL_MIN_MINOR = {14: 3, 15: 2, 16: 1, 17: 4}
"""Earliest minor of each major that Aurora global databases support."""
AURORA_WRITE_FORWARDING_MIN_MINOR = {14: 9, 15: 4, 16: 0, 17: 0}
"""Earliest minor of each major whose secondary clusters forward writes to the primary (global write
forwarding): "In Aurora PostgreSQL version 16 and higher major versions, global write forwarding is
supported in all minor versions ... 15.4 and higher ... 14.9 and higher" (Aurora user guide, Using write
forwarding in an Aurora PostgreSQL global database, checked 2026-12)."""
VERSION_FORM = re.compile(r"^(?P<major>\d{2})(\.(?P<minor>\d{1,2}))?$")


def aurora_major(version: str) -> int | None:
    """The major of `17` or `17.6`; None for any other form."""
    found = VERSION_FORM.match(version)
    return int(found["major"]) if found else None


def aurora_minor(version: str) -> int | None:
    found = VERSION_FORM.match(version)
    return int(found["minor"]) if found and found["minor"] is not None else None


def aurora_parameter_family(version: str) -> str:
    """The cluster parameter group family of a version (`aurora-postgresql17`)."""
    return f"aurora-postgresql{aurora_major(version)}"
