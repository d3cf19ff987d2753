"""Scaffolding: a new standalone project (`init`) and a new environment in one (`stack add`).

Pure functions from options to `{path: text}`; the commands in `cli/commands/scaffold.py` write the
result with `cli.files.write_files` (staged, atomic, never over a user's file without --force).
Nothing here imports Pulumi: the templates are rendered with jinja2 and the new spec is checked with
the same loader `validate` uses, so a scaffold is valid as written or is never written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from blueprints.errors import Location, Problem, SpecError

Target = Literal["aws", "kubernetes"]
Pattern = Literal["single-zone", "multi-zone", "active-passive", "active-active"]

TARGETS: tuple[Target, ...] = ("aws", "kubernetes")
PATTERNS: tuple[Pattern, ...] = ("single-zone", "multi-zone", "active-passive", "active-active")
MULTI_REGION: tuple[Pattern, ...] = ("active-passive", "active-active")

DEFAULT_REGIONS: dict[Target, tuple[str, str]] = {
    # AWS: two regions far apart (one coast each) with three or more zones each.
    "aws": ("us-east-1", "us-west-2"),
    # Kubernetes: a region is one cluster; any name works, these follow the GKE naming of the zone labels.
    "kubernetes": ("europe-west4", "europe-west1"),
}
DEFAULT_ZONES = 3
"""Three zones: losing one still leaves two (a majority for quorum stores and queues)."""
DEFAULT_ENVIRONMENTS = ("dev", "staging", "prod")
ZONE_LETTERS = "abcdefgh"
"""Zone suffixes init writes: as many as the spec allows per region (blueprints.spec.rules.topology.MAX_ZONES)."""

SPEC_FILE = "spec.yaml"
PROJECT_FILE = "Pulumi.yaml"
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
SYSTEM_NAME = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
AWS_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$")

# Template → path in the new project. Template names carry no leading dot, so packaging globs and
# tools (git, GitHub, linters) never mistake a template for the real file.
PROJECT_TEMPLATES: tuple[tuple[str, str], ...] = (
    ("project/spec.yaml.j2", SPEC_FILE),
    ("project/Pulumi.yaml.j2", PROJECT_FILE),
    ("project/__main__.py.j2", "__main__.py"),
    ("project/requirements.txt.j2", "requirements.txt"),
    ("project/gitignore.j2", ".gitignore"),
    ("project/README.md.j2", "README.md"),
    ("project/github/workflows/agentha.yml.j2", ".github/workflows/agentha.yml"),
    ("project/policy-pack/PulumiPolicy.yaml.j2", "policy-pack/PulumiPolicy.yaml"),
    ("project/policy-pack/__main__.py.j2", "policy-pack/__main__.py"),
    ("project/policy-pack/requirements.txt.j2", "policy-pack/requirements.txt"),
)
STACK_TEMPLATE = "project/stack.yaml.j2"


# --- options -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionChoice:
    """A region of the new spec: its name, role and zone names."""

    name: str
    role: Literal["primary", "standby", "active"]
    zones: tuple[str, ...]


@dataclass(frozen=True)
class InitOptions:
    """What `init` builds; every field has a default that yields a valid, objective-meeting spec."""

    name: str
    target: Target = "aws"
    pattern: Pattern = "multi-zone"
    regions: tuple[str, ...] = ()
    """Region names; empty: the target's defaults (one region, or two for multi-region patterns)."""
    zones: int | None = None
    """Zones per region; None: 1 for single-zone, else 3."""
    environments: tuple[str, ...] = DEFAULT_ENVIRONMENTS
    requirement: str | None = None
    """The pip requirement line for agentha-blueprint in requirements.txt (which the CI workflow
    installs too); None: `agentha-blueprint~=<series>` from the package index."""

    @property
    def zone_count(self) -> int:
        return self.zones if self.zones is not None else (1 if self.pattern == "single-zone" else DEFAULT_ZONES)

    @property
    def region_names(self) -> tuple[str, ...]:
        if self.regions:
            return self.regions
        first, second = DEFAULT_REGIONS[self.target]
        return (first, second) if self.pattern in MULTI_REGION else (first,)

    def region_choices(self) -> tuple[RegionChoice, ...]:
        out: list[RegionChoice] = []
        for i, name in enumerate(self.region_names):
            if self.pattern == "active-active":
                role: Literal["primary", "standby", "active"] = "active"
            else:
                role = "primary" if i == 0 else "standby"
            out.append(RegionChoice(name, role, zone_names(self.target, name, self.zone_count)))
        return tuple(out)


def zone_names(target: str, region: str, count: int) -> tuple[str, ...]:
    """aws: us-east-1a, us-east-1b…; kubernetes: europe-west4-a… (the nodes' topology.kubernetes.io/zone)."""
    sep = "" if target == "aws" else "-"
    return tuple(f"{region}{sep}{letter}" for letter in ZONE_LETTERS[:count])


def split_list(values: Iterable[str] | None) -> tuple[str, ...]:
    """`--regions a,b --regions c` → (a, b, c); blanks dropped, order kept, duplicates kept (reported)."""
    out: list[str] = []
    for value in values or ():
        out.extend(part.strip() for part in value.split(",") if part.strip())
    return tuple(out)


def default_name(directory: Path) -> str:
    """A DNS-safe system name from the folder name (My Agents → my-agents, proj-Ünï → proj-uni):
    accents are taken off rather than dropped with their letter (init says when the name differs)."""
    import unicodedata

    folded = unicodedata.normalize("NFKD", directory.resolve().name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return slug[:40].rstrip("-")


def _usage(path: str, message: str, fix: str, value: Any = None, allowed: str | None = None) -> Problem:
    return Problem(
        rule="usage",
        path=path,
        message=message,
        fix=fix,
        location=Location("<command line>"),
        value=value,
        allowed=allowed,
    )


def check_options(opts: InitOptions) -> list[Problem]:
    """Every problem with the options at once, in the words of the flags."""
    problems: list[Problem] = []
    if not SYSTEM_NAME.match(opts.name) or len(opts.name) > 40:
        problems.append(
            _usage(
                "--name",
                f"'{opts.name}' is not a DNS-safe system name (it prefixes every resource name)",
                "pass --name with lowercase letters, digits and '-', starting with a letter, at most 40 "
                "characters, e.g. --name support-agent",
                value=opts.name,
            )
        )
    if opts.target not in TARGETS:
        problems.append(_usage("--target", f"unknown target '{opts.target}'", "use aws or kubernetes", opts.target))
    if opts.pattern not in PATTERNS:
        problems.append(
            _usage("--pattern", f"unknown pattern '{opts.pattern}'", f"use one of: {', '.join(PATTERNS)}", opts.pattern)
        )
    regions = opts.region_names
    if opts.pattern in MULTI_REGION and len(regions) < 2:
        problems.append(
            _usage(
                "--regions",
                f"pattern {opts.pattern} needs at least two regions, got {len(regions)}",
                "list two or more, e.g. --regions us-east-1,us-west-2 (the first is the primary)",
                value=",".join(regions),
                allowed="≥ 2",
            )
        )
    elif opts.pattern in ("single-zone", "multi-zone") and len(regions) != 1:
        problems.append(
            _usage(
                "--regions",
                f"pattern {opts.pattern} runs in one region, got {len(regions)}",
                "give one region, or use --pattern active-passive / active-active for several",
                value=",".join(regions),
                allowed="1",
            )
        )
    for name in sorted({r for r in regions if regions.count(r) > 1}):
        problems.append(_usage("--regions", f"region '{name}' is listed twice", "list each region once", name))
    for name in regions:
        if opts.target == "aws" and not AWS_REGION.match(name):
            problems.append(
                _usage(
                    "--regions",
                    f"'{name}' is not an AWS region code",
                    "use codes such as us-east-1, eu-west-1, ap-southeast-2",
                    value=name,
                )
            )
        elif opts.target == "kubernetes" and not DNS_LABEL.match(name):
            problems.append(
                _usage(
                    "--regions",
                    f"'{name}' is not a usable region name (it names zones and resources)",
                    "use lowercase letters, digits and '-', e.g. europe-west4",
                    value=name,
                )
            )
    if opts.zones is not None:
        low = 1 if opts.pattern == "single-zone" else 2
        high = 1 if opts.pattern == "single-zone" else len(ZONE_LETTERS)
        if not low <= opts.zones <= high:
            problems.append(
                _usage(
                    "--zones",
                    f"pattern {opts.pattern} uses {low}-{high} zones per region, not {opts.zones}",
                    "leave --zones out (single-zone: 1, others: 3), or pick a count in range",
                    value=opts.zones,
                    allowed=f"{low}-{high}",
                )
            )
    problems.extend(check_environment_names(opts.environments, "--environments"))
    if opts.requirement is not None:
        problems.extend(check_requirement(opts.requirement))
    if not opts.environments:
        problems.append(
            _usage("--environments", "no environment given", "give at least one, e.g. --environments dev,prod")
        )
    return problems


REQUIREMENT_EXAMPLES = (
    'e.g. --requirement "agentha-blueprint @ git+https://github.com/acme/agentha-blueprint@v0.1.0" '
    "or --requirement /src/agentha-blueprint"
)


def check_requirement(spec: str) -> list[Problem]:
    """A light check of `--requirement`: one non-empty line that is not a comment (pip reads the rest)."""
    if not spec.strip():
        message = "the requirement is empty, so requirements.txt would install nothing"
    elif "\n" in spec or "\r" in spec:
        message = "the requirement spans several lines; requirements.txt takes it as one line"
    elif not spec.isprintable():
        message = "the requirement holds a control character (a tab, an escape…)"
    elif spec.strip().startswith("#"):
        message = "the requirement starts with '#', which pip reads as a comment: it would install nothing"
    else:
        return []
    return [
        _usage(
            "--requirement",
            message,
            "give one pip requirement line for agentha-blueprint, " + REQUIREMENT_EXAMPLES,
            value=repr(spec),  # quoted, so an empty value or a line break shows
        )
    ]


def check_environment_names(names: Sequence[str], flag: str) -> list[Problem]:
    from blueprints.spec.loader import ENV_NAME

    problems = [
        _usage(
            flag,
            f"environment name '{name}' is not DNS-safe (it names a stack and resources)",
            "use lowercase letters, digits and '-', e.g. dev, staging, prod-eu",
            value=name,
        )
        for name in names
        if not ENV_NAME.match(name)
    ]
    for name in sorted({n for n in names if list(names).count(n) > 1}):
        problems.append(_usage(flag, f"environment '{name}' is listed twice", "list each environment once", name))
    return problems


# --- rendering -----------------------------------------------------------------------------------


def _jinja() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(
        loader=PackageLoader("cli", "templates"),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # YAML, Python and Markdown, never HTML
    )


@dataclass(frozen=True)
class StackContext:
    """What a stack file says: which spec, which environment, where its default provider points."""

    env: str
    spec: str
    target: str
    primary_region: str
    regions: tuple[str, ...]
    system: str
    note: str = ""


def render_stack(ctx: StackContext) -> str:
    return _jinja().get_template(STACK_TEMPLATE).render(s=ctx)


def render_project(opts: InitOptions, tool_version: str) -> dict[str, str]:
    """Every file of a new project, keyed by path relative to the project folder."""
    env = _jinja()
    regions = opts.region_choices()
    pip_line = (opts.requirement or "").strip() or requirement(tool_version)
    context = {
        "o": opts,
        "regions": regions,
        "primary": regions[0],
        "multi_region": opts.pattern in MULTI_REGION,
        "with_store": not (opts.target == "kubernetes" and opts.pattern == "active-active"),
        "engine": "dynamodb" if opts.target == "aws" else "postgres",
        "tool_version": tool_version,
        "requirement": pip_line,
        "custom_requirement": pip_line != requirement(tool_version),
        "local_requirement": local_folder(pip_line) is not None,
        "local_folder": local_folder(pip_line) or "",
        "matrix_env": "${{ matrix.environment }}",
        "diagram_marker": DIAGRAM_MARKER,  # a GitHub Actions expression, not a jinja2 one
        "drills": _drills(opts, multi_region=opts.pattern in MULTI_REGION),
        "dev_drills": _drills(opts, multi_region=False),
        # dev keeps min 2 but a smaller ceiling; static stability needs at least one replica per zone
        "dev_max": max(4, opts.zone_count),
        **objectives(opts),
    }
    files = {out: env.get_template(template).render(**context) for template, out in PROJECT_TEMPLATES}
    primary = regions[0]
    for name in opts.environments:
        dev_one_region = name == "dev" and opts.pattern in MULTI_REGION
        stack_regions = (primary,) if dev_one_region else regions
        files[f"Pulumi.{name}.yaml"] = render_stack(
            StackContext(
                env=name,
                spec=SPEC_FILE,
                target=opts.target,
                primary_region=primary.name,
                regions=tuple(r.name for r in stack_regions),
                system=opts.name,
            )
        )
    return files


def objectives(opts: InitOptions) -> dict[str, str]:
    """Objectives the default plan meets with margin (measured with `plan` for every target and pattern).

    Under the model of the deployed system (failover time charged, readiness covering the store and
    queue): one AWS region estimates about 99.87 % (SQS's 99.9 % and the NAT gateways cap it) and one
    zone 99.29 %; two AWS regions 99.976 %; one Kubernetes cluster over three zones 99.989 %, two
    clusters 99.985-99.989 %; on Kubernetes, two zones cannot keep a quorum through a zone loss.
    Region RTO/RPO: AWS 5m15s / 3m30s (the private ingress's alarm and the 60 s alias TTL; the lag
    alarm's bound), Kubernetes active-passive 16m45s / 10m (an operator promotes the replica cluster).
    """
    one_region = {"aws": "99.8", "kubernetes": "99.9"}[opts.target]
    if opts.target == "kubernetes" and opts.zone_count == 2:
        # 3 quorum members over 2 zones lose their majority with the fuller zone (about 98.99 %)
        one_region = "98.9"
    if opts.pattern == "single-zone":
        availability = "99.0"
    elif opts.pattern in MULTI_REGION:
        availability = "99.95"
    else:
        availability = one_region
    # Region RPO: the lag anyone is told about (the lag alarm's 30 s + its evaluation), not the typical lag.
    region = "{rto: 15m, rpo: 5m}" if opts.target == "aws" else "{rto: 30m, rpo: 15m}"
    return {"availability": availability, "dev_availability": one_region, "region_objective": region}


def _drills(opts: InitOptions, *, multi_region: bool) -> list[str]:
    """The drills that apply: zone-outage needs a second zone, region-outage a second region."""
    drills = ["zone-outage"] if opts.zone_count > 1 else []
    if multi_region:
        drills.append("region-outage")
    drills.append("agent-crash")
    if not (opts.target == "kubernetes" and opts.pattern == "active-active"):
        drills.append("store-failover")
    return drills


def requirement(tool_version: str) -> str:
    """`agentha-blueprint~=X.Y.0`: bug fixes of the series that wrote the spec, never a newer spec format."""
    parts = re.findall(r"\d+", tool_version)[:2]
    major, minor = [*parts, "0", "0"][:2]
    return f"agentha-blueprint~={major}.{minor}.0"


def installed_requirement() -> str | None:
    """How the running agentha-blueprint was installed, as a pip requirement line, when that was a
    git URL or a local folder (pip records it per PEP 610 in `direct_url.json`); None when it came
    from a package index or cannot be told, so the default `~=` range applies."""
    import json
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        raw = distribution("agentha-blueprint").read_text("direct_url.json")
    except PackageNotFoundError:
        return None
    try:
        data = json.loads(raw) if raw else None
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    url = data.get("url")
    if not isinstance(url, str) or not url or any(c.isspace() for c in url):
        return None
    vcs = data.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("vcs") == "git" and isinstance(vcs.get("commit_id"), str):
        return f"agentha-blueprint @ git+{url}@{vcs['commit_id']}"
    if url.startswith("file://") and isinstance(data.get("dir_info"), dict):
        return f"agentha-blueprint @ {url}"
    return None


def local_folder(pip_line: str) -> str | None:
    """The folder a `agentha-blueprint @ file:///…` (or plain path) requirement installs from, which
    exists only on the machine that ran `init`; None for an index range, a git URL or a wheel file."""
    from urllib.parse import unquote, urlparse

    target = pip_line.split("@", 1)[1].strip() if "@" in pip_line and "://" in pip_line else pip_line.strip()
    if target.startswith("file://"):
        return unquote(urlparse(target).path)
    if target.startswith(("/", "./", "../", "~")) and not target.endswith(".whl"):
        return target
    return None


def tool_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("agentha-blueprint")
    except PackageNotFoundError:  # running from a checkout that is not installed
        return "0.1.0"


DIAGRAM_MARKER = "<!-- agentha:diagram -->"
"""Where the README gets the diagram of the planned spec (drawn once the spec is known to be valid)."""


def with_diagram(readme: str, spec_text: str, file: str) -> str:
    """The README with the Mermaid diagram of the base spec's plan in place of DIAGRAM_MARKER."""
    from blueprints.analysis import diagram
    from blueprints.plan.planner import plan
    from blueprints.spec.loader import parse_text, validate_document

    spec = validate_document(parse_text(spec_text, file), None).spec
    picture = diagram.mermaid(diagram.build(plan(spec, None, advise=False)))
    block = (
        "The plan of `spec.yaml` as written (redraw it after a change: `agentha-blueprint diagram spec.yaml "
        "--out DIAGRAM.md`; GitHub renders the block below):\n\n```mermaid\n" + picture + "```"
    )
    return readme.replace(DIAGRAM_MARKER, block)


def init_files(directory: Path, opts: InitOptions, version: str | None = None) -> dict[Path, str]:
    """The new project's files (absolute paths), its spec checked by the real loader first.

    Raises SpecError with every option problem, or — should a template ever produce an invalid spec
    — with the loader's problems, so nothing invalid is ever written.
    """
    problems = check_options(opts)
    if problems:
        raise SpecError.of(problems)
    files = render_project(opts, version or tool_version())
    check_spec_text(files[SPEC_FILE], str(directory / SPEC_FILE), opts.environments)
    files["README.md"] = with_diagram(files["README.md"], files[SPEC_FILE], str(directory / SPEC_FILE))
    return {directory / rel: text for rel, text in files.items()}


def check_spec_text(text: str, file: str, environments: Iterable[str]) -> None:
    """Validate the base spec and each environment named; SpecError with every problem."""
    from blueprints.spec.loader import parse_text, validate_document

    doc = parse_text(text, file)
    problems: list[Problem] = []
    for env in [None, *environments]:
        try:
            validate_document(doc, env)
        except SpecError as err:
            problems.extend(p for p in err.problems if p not in problems)
    if problems:
        raise SpecError.of(problems)


# --- stack add -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Project:
    """A Pulumi project folder as `stack add` sees it."""

    root: Path
    stack_dir: Path
    name: str


def find_project(start: Path) -> Project:
    """The nearest folder at or above `start` holding Pulumi.yaml, and its stackConfigDir."""
    here = start.resolve()
    for folder in (here, *here.parents):
        for file_name in ("Pulumi.yaml", "Pulumi.yml"):
            path = folder / file_name
            if path.exists():
                data = _read_yaml_mapping(path)
                stack_dir = data.get("stackConfigDir")
                return Project(
                    root=folder,
                    stack_dir=folder / str(stack_dir) if stack_dir else folder,
                    name=str(data.get("name", folder.name)),
                )
    raise SpecError.one(
        rule="project",
        path="Pulumi.yaml",
        message=f"no Pulumi.yaml in {here} or any folder above it",
        fix="run it inside a project made by `agentha-blueprint init DIR`, or pass the folder with --project",
        location=Location(str(here)),
    )


def _read_yaml_mapping(path: Path) -> dict[str, Any]:
    """A YAML file that must be a mapping (Pulumi.yaml, a stack file); SpecError with a position if not."""
    from blueprints.spec.document import parse_yaml

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError.one(
            "file", "(document)", f"cannot read the file: {exc}", "make it readable", Location(str(path))
        ) from None
    doc = parse_yaml(text, str(path))
    if not isinstance(doc.data, dict):
        raise SpecError.one(
            "document-shape",
            "(document)",
            f"{path.name} is not a YAML mapping",
            "see https://www.pulumi.com/docs/iac/concepts/projects/project-file/",
            Location(str(path), 1, 1),
        )
    return doc.data


def spec_from_stacks(project: Project) -> Path | None:
    """The spec an existing stack file names (`agentha:spec`), relative paths from the project root."""
    for stack_file in sorted(project.stack_dir.glob("Pulumi.*.yaml")):
        try:
            data = _read_yaml_mapping(stack_file)
        except SpecError:
            continue
        config = data.get("config")
        if isinstance(config, dict) and isinstance(config.get("agentha:spec"), str):
            path = Path(config["agentha:spec"])
            return path if path.is_absolute() else project.root / path
    return None


def _relative_to(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


def add_stack(
    start: Path,
    env: str,
    *,
    spec: Path | None = None,
    regions: Sequence[str] = (),
    force: bool = False,
) -> tuple[dict[Path, str], Project, Path]:
    """Files for a new environment: `Pulumi.<env>.yaml` and the spec with `environments.<env>` added.

    The spec is edited as text: the new block is spliced in after the last environment, so every
    other byte (comments, key order, spacing inside flow mappings) stays as the user wrote it.
    """
    problems = check_environment_names([env], "ENV")
    if problems:
        raise SpecError.of(problems)
    project = find_project(start)
    spec_path = spec if spec is not None else (spec_from_stacks(project) or project.root / SPEC_FILE)
    from blueprints.spec.loader import read_document

    doc = read_document(spec_path)
    data = doc.data
    target = str(data.get("target", "aws"))
    stack_file = project.stack_dir / f"Pulumi.{env}.yaml"
    conflicts: list[Problem] = []
    envs = data.get("environments")
    if isinstance(envs, dict) and env in envs and not force:
        location, _ = doc.locate(("environments", env))
        conflicts.append(
            Problem(
                rule="environment-taken",
                path=f"environments.{env}",
                message=f"environment '{env}' is already defined in the spec",
                fix=f"choose another name, or re-run with --force to replace environments.{env} and its stack file",
                location=location,
                value=env,
            )
        )
    if stack_file.exists() and not force:
        conflicts.append(
            Problem(
                rule="stack-exists",
                path=stack_file.name,
                message=f"stack file {stack_file.name} already exists",
                fix="choose another name, or re-run with --force to replace it",
                location=Location(str(stack_file)),
            )
        )
    if conflicts:
        raise SpecError.of(conflicts)

    region_list = _env_regions(data, target, tuple(regions))
    override = _override(data, region_list)
    text = Path(spec_path).read_text(encoding="utf-8")
    new_text = splice_environment(text, env, override, file=str(spec_path))
    check_spec_text(new_text, str(spec_path), [env])
    if region_list:
        names = tuple(r.name for r in region_list)
    else:
        names = tuple(r.get("name", "") for r in _base_regions(data))
        names = tuple(sorted(names, key=lambda n: _role_of(data, n) not in ("primary", "active")))
    system = str((data.get("metadata") or {}).get("name", project.name))
    stack_text = render_stack(
        StackContext(
            env=env,
            spec=_relative_to(Path(spec_path), project.root),
            target=target,
            primary_region=names[0] if names else "",
            regions=names,
            system=system,
            note="added by `agentha-blueprint stack add`",
        )
    )
    files = {Path(spec_path): new_text, stack_file: stack_text}
    workflow = project.root / WORKFLOW_FILE
    if workflow.is_file():
        try:
            workflow_text = workflow.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            workflow_text = None
        added = with_matrix_environment(workflow_text, env) if workflow_text is not None else None
        if added is not None:
            files[workflow] = added
    return files, project, Path(spec_path)


WORKFLOW_FILE = Path(".github") / "workflows" / "agentha.yml"
"""The CI workflow `init` writes; `stack add` adds the new environment to its matrix."""

_MATRIX_LINE = re.compile(r"^(?P<head>[ \t]*environment:[ \t]*\[)(?P<items>[^\]\n]*)(?P<tail>\].*)$", re.MULTILINE)


def with_matrix_environment(text: str, env: str) -> str | None:
    """The workflow with `env` appended to its one `environment: [...]` matrix line; the same text when
    it is listed already; None when there is not exactly one such line (a workflow changed by hand
    is left to its owner)."""
    found = list(_MATRIX_LINE.finditer(text))
    if len(found) != 1:
        return None
    (line,) = found
    items = [item.strip() for item in line["items"].split(",") if item.strip()]
    if env in items:
        return text
    listed = ", ".join([*items, env])
    return text[: line.start()] + line["head"] + listed + line["tail"] + text[line.end() :]


def _base_regions(data: dict[str, Any]) -> list[dict[str, Any]]:
    regions = (data.get("topology") or {}).get("regions") or []
    return [r for r in regions if isinstance(r, dict)]


def _role_of(data: dict[str, Any], name: str) -> str:
    return next((str(r.get("role", "primary")) for r in _base_regions(data) if r.get("name") == name), "primary")


def _env_regions(data: dict[str, Any], target: str, regions: tuple[str, ...]) -> tuple[RegionChoice, ...]:
    """The regions asked for with --region: zones and roles from the base spec when it lists the region."""
    names = split_list(regions)
    if not names:
        return ()
    pattern = str((data.get("topology") or {}).get("pattern", "multi-zone"))
    problems: list[Problem] = []
    for name in names:
        if target == "aws" and not AWS_REGION.match(name):
            problems.append(
                _usage("--region", f"'{name}' is not an AWS region code", "use e.g. us-east-1, eu-west-1", name)
            )
        elif target != "aws" and not DNS_LABEL.match(name):
            problems.append(_usage("--region", f"'{name}' is not a usable region name", "use e.g. europe-west4", name))
    if len(set(names)) != len(names):
        problems.append(_usage("--region", "a region is listed twice", "list each region once", ",".join(names)))
    if problems:
        raise SpecError.of(problems)
    base = {str(r.get("name")): r for r in _base_regions(data)}
    default_zones = 1 if pattern == "single-zone" else DEFAULT_ZONES
    out: list[RegionChoice] = []
    for i, name in enumerate(names):
        known = base.get(name)
        zones = tuple(str(z) for z in known.get("zones", [])) if known else ()
        if not zones:
            zones = zone_names(target, name, default_zones)
        if len(names) == 1:
            role: Literal["primary", "standby", "active"] = "primary"
        elif pattern == "active-active":
            role = "active"
        else:
            role = "primary" if i == 0 else "standby"
        out.append(RegionChoice(name, role, zones))
    return tuple(out)


def _override(data: dict[str, Any], regions: tuple[RegionChoice, ...]) -> dict[str, Any]:
    """The override block: empty (same as the base), or the regions asked for, with the pattern fitted."""
    if not regions:
        return {}
    topology = data.get("topology") or {}
    pattern = str(topology.get("pattern", "multi-zone"))
    block: dict[str, Any] = {}
    if len(regions) == 1 and pattern in MULTI_REGION:
        # One region cannot fail over: run multi-zone there and drop what only several regions give.
        block["pattern"] = "multi-zone"
        if "standby" in topology:
            block["standby"] = None
    block["regions"] = [{"name": r.name, "role": r.role, "zones": list(r.zones)} for r in regions]
    override: dict[str, Any] = {"topology": block}
    if len(regions) == 1 and pattern in MULTI_REGION:
        disruptions = (data.get("objectives") or {}).get("disruptions") or {}
        if disruptions.get("region") is not None:
            override["objectives"] = {"disruptions": {"region": None}}
        drills = (data.get("chaos") or {}).get("drills") or []
        if "region-outage" in drills:
            override["chaos"] = {"drills": [d for d in drills if d != "region-outage"]}
    if len(regions) > 1 and pattern not in MULTI_REGION:
        raise SpecError.of(
            [
                _usage(
                    "--region",
                    f"the spec's pattern is {pattern} (one region); several regions need a multi-region pattern",
                    "give one --region, or change topology.pattern to active-passive first",
                    ",".join(r.name for r in regions),
                )
            ]
        )
    return override


# --- splicing one environment into a spec, leaving every other byte alone -------------------------


def dump_block(key: str, value: dict[str, Any], indent: int, step: int) -> list[str]:
    """`key: value` as YAML lines at `indent`, nested `step` spaces, leaves in flow style."""
    if not value:
        return [" " * indent + f"{key}: {{}}"]
    import io

    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.Representer = _null_representer()
    yaml.default_flow_style = None  # block mappings, flow-style leaves: {name: x, zones: [a, b]}
    yaml.indent(mapping=step, sequence=step + 2, offset=step)
    yaml.width = 4096
    buffer = io.StringIO()
    yaml.dump({key: value}, buffer)
    return [(" " * indent + line) if line else line for line in buffer.getvalue().splitlines()]


def _null_representer() -> Any:
    """ruamel's round-trip representer, but None is written `null` (its default writes nothing).

    A subclass, because `add_representer` on ruamel's own class would change every dump in the process.
    """
    from ruamel.yaml.representer import RoundTripRepresenter

    class NullRepresenter(RoundTripRepresenter):
        pass

    NullRepresenter.add_representer(type(None), lambda rep, _: rep.represent_scalar("tag:yaml.org,2002:null", "null"))
    return NullRepresenter


def splice_environment(text: str, env: str, override: dict[str, Any], *, file: str) -> str:
    """Add (or replace) `environments.<env>` in the YAML text; only the new block's lines differ."""
    from ruamel.yaml import YAML
    from ruamel.yaml.nodes import MappingNode, ScalarNode

    root = YAML(typ="rt").compose(text)
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    if not isinstance(root, MappingNode):
        raise SpecError.one(
            "document-shape",
            "(document)",
            "the spec is not a mapping",
            "fix the spec first",
            Location(file, 1, 1),
        )
    step = _indent_step(root)
    envs_key, envs_value = _find(root, "environments")

    if envs_key is None:
        block = ["environments:", *dump_block(env, override, step, step)]
        body = "".join(lines)
        if body and not body.endswith(("\n", "\r")):
            body += newline
        return body + newline.join(block) + newline

    if isinstance(envs_value, MappingNode) and envs_value.flow_style:
        return _roundtrip_insert(text, env, override)
    if isinstance(envs_value, ScalarNode) and envs_value.value in ("", "~", "null"):
        # `environments:` with nothing under it: the new block goes right below the key.
        assert envs_key is not None
        child_indent = envs_key.start_mark.column + step
        at = envs_key.start_mark.line
        block = dump_block(env, override, child_indent, step)
        return "".join(lines[: at + 1]) + newline.join(block) + newline + "".join(lines[at + 1 :])
    if not isinstance(envs_value, MappingNode):
        raise SpecError.one(
            "environment-shape",
            "environments",
            "`environments` is not a mapping of environment names",
            "make it a mapping, e.g. `environments: {dev: {}}`",
            Location(file, envs_key.start_mark.line + 1, envs_key.start_mark.column + 1),
        )
    children = envs_value.value
    child_indent = children[0][0].start_mark.column if children else envs_key.start_mark.column + step
    existing = next((i for i, (k, _) in enumerate(children) if isinstance(k, ScalarNode) and k.value == env), None)
    block = dump_block(env, override, child_indent, step)
    if existing is not None:
        key_node, value_node = children[existing]
        first = key_node.start_mark.line
        last = _last_line(value_node)
        return "".join(lines[:first]) + newline.join(block) + newline + "".join(lines[last + 1 :])
    last = _last_line(children[-1][1]) if children else envs_key.start_mark.line
    return (
        "".join(lines[: last + 1])
        + _ensure_newline(lines, last, newline)
        + newline.join(block)
        + newline
        + "".join(lines[last + 1 :])
    )


def _ensure_newline(lines: list[str], index: int, newline: str) -> str:
    return "" if lines[index].endswith(("\n", "\r")) else newline


def _find(node: Any, key: str) -> tuple[Any, Any]:
    from ruamel.yaml.nodes import ScalarNode

    for k, v in node.value:
        if isinstance(k, ScalarNode) and k.value == key:
            return k, v
    return None, None


def _indent_step(root: Any) -> int:
    """The document's mapping indentation (2 unless the user nests deeper)."""
    from ruamel.yaml.nodes import MappingNode

    for key, value in root.value:
        if isinstance(value, MappingNode) and not value.flow_style and value.value:
            step = value.value[0][0].start_mark.column - key.start_mark.column
            if step > 0:
                return step
    return 2


def _last_line(node: Any) -> int:
    """0-based line of the last character of a node's value (not the comments after it)."""
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    if isinstance(node, MappingNode | SequenceNode) and not node.flow_style and node.value:
        last = node.value[-1]
        return _last_line(last[1] if isinstance(node, MappingNode) else last)
    end = node.end_mark
    # an end mark at column 0 means the node ended with the previous line's line break
    return end.line - 1 if end.column == 0 and end.line > node.start_mark.line else end.line


def _roundtrip_insert(text: str, env: str, override: dict[str, Any]) -> str:
    """`environments` written in flow style ({dev: {}}): add through ruamel's round trip."""
    import io

    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    data = yaml.load(text)
    data["environments"][env] = override
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return buffer.getvalue()


def missed_objectives(spec_path: Path, env: str) -> list[str]:
    """The objectives the environment's plan misses, in words (empty: all met). Pure: no Pulumi."""
    from blueprints.plan.planner import plan
    from blueprints.spec.loader import load_spec

    loaded = load_spec(spec_path, env)
    result = plan(loaded.spec, env, advise=False)
    from blueprints.units import format_duration

    missed = []
    for e in result.estimates:
        if e.met is not False or e.objective is None:
            continue
        if e.kind == "availability":
            missed.append(f"availability: estimate {e.value:.3f} % misses the objective {e.objective:g} %")
        else:
            value = "unbounded" if e.value is None else format_duration(e.value)
            missed.append(
                f"{e.kind.upper()} {e.disruption}: estimate {value} misses the objective {format_duration(e.objective)}"
            )
    return missed
