"""`render`: plain Kubernetes manifests from the spec, one folder per region, for GitOps.

The stack program runs offline under the SDK's mocks (as in `synth`) and every Kubernetes object it
would create is written as YAML (`stacks/manifests.py`). The output folder is the command's own: it
holds a marker file listing what render wrote, with each file's SHA-256, so a re-render updates
those files, removes the ones no longer produced, and leaves anything else alone. A file whose bytes
differ from what render last wrote there was edited by hand: render refuses (exit 2, nothing
written, the edited files named) to overwrite or remove it unless `--force`. A non-empty folder
without the marker is refused unless `--force`. All files are staged first and moved into place
together (cli/files.py).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from blueprints.errors import Location, Problem, SpecError
from blueprints.progress import phase
from cli.commands.spec_commands import EnvOpt, SpecArg
from cli.commands.synth import QuietOpt, progress
from cli.output import console, spec_errors, usage_error

if TYPE_CHECKING:
    from stacks.manifests import Manifest

MARKER = ".agentha-render.json"
"""Written last into every folder render fills; its presence makes the folder render's own."""


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def marker_text(system: str, environment: str | None, files: Mapping[str, str]) -> str:
    """The marker's content: every written file (relative path) with the SHA-256 of its bytes.

    Deterministic (no time, no absolute path), so a re-render changes nothing.
    """
    data = {
        "generator": "agentha-blueprint render",
        "system": system,
        "environment": environment,
        "files": {rel: digest(files[rel].encode("utf-8")) for rel in sorted(files)},
    }
    return json.dumps(data, indent=2) + "\n"


def _previous_files(out: Path) -> dict[str, str | None] | None:
    """The files an earlier render wrote here with their SHA-256, or None when the folder is not render's.

    A marker from before hashes were recorded lists names only: their hash is None (not known), and
    such a file is taken as render's own, as it was then; the next render records the hashes.
    """
    marker = out / MARKER
    if not marker.is_file():
        return None
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) else None
    if isinstance(files, dict):
        return {f: h if isinstance(h, str) else None for f, h in files.items() if isinstance(f, str)}
    if isinstance(files, list):
        return {f: None for f in files if isinstance(f, str)}
    return None


def _edited(out: Path, previous: Mapping[str, str | None], manifests: Mapping[str, str]) -> list[Problem]:
    """Files render wrote that were changed since, and that this render would overwrite or remove."""
    problems: list[Problem] = []
    for rel, recorded in sorted(previous.items()):
        path = out / rel
        if recorded is None or not _safe(rel) or not path.is_file():
            continue  # hash not known (older marker), not ours to judge, or gone: nothing to lose
        current = path.read_bytes()
        if digest(current) == recorded:
            continue
        if rel in manifests:
            if current == manifests[rel].encode("utf-8"):
                continue  # the edit is exactly what render writes now: nothing is lost
            what = "would be overwritten"
        else:
            what = "would be removed (the spec no longer produces it)"
        problems.append(
            Problem(
                rule="file-edited",
                path=str(path),
                message=f"was edited since render wrote it and {what}; nothing was written",
                fix="keep the change elsewhere (the spec, a kustomize overlay), or re-run with --force to "
                "overwrite the edited files",
                location=Location(str(path)),
            )
        )
    return problems


def _safe(relative: str) -> bool:
    path = Path(relative)
    return not path.is_absolute() and ".." not in path.parts


def render(
    spec: SpecArg,
    out: Annotated[
        Path,
        typer.Option("--out", "-O", help="Folder to write into (created if missing); one sub-folder per region."),
    ],
    env: EnvOpt = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Write into a non-empty folder render did not create, and overwrite or remove files edited "
            "by hand since render wrote them.",
        ),
    ] = False,
    quiet: QuietOpt = False,
) -> None:
    """Write plain Kubernetes manifests (YAML) for Argo CD, Flux or kubectl apply, without Pulumi.

    One folder per region (cluster), one file per object, a kustomization.yaml in each; the same
    spec always gives the same bytes. A file edited by hand since render wrote it is never
    overwritten or removed without --force. The manifests reference Secrets by name only: create
    them first (the list is printed). Exit 0 when written, 2 on bad input or edited files.

    [bold]Examples[/bold]

      agentha-blueprint render examples/research-agent/spec.yaml --env prod --out deploy/

      kubectl apply --server-side -k deploy/europe-west4/
    """
    from stacks.capture import frozen_heap
    from stacks.manifests import collect, render_collected
    from stacks.synth import synth as run_synth

    if out.exists() and not out.is_dir():
        usage_error(f"--out {out} is a file", "give a folder (it is created if missing)", path=str(out))
    previous = _previous_files(out) if out.is_dir() else None
    if out.is_dir() and previous is None and any(out.iterdir()) and not force:
        usage_error(
            f"{out} is not empty and was not written by render (no {MARKER}); nothing was written",
            "choose an empty or new folder, or re-run with --force to write into it anyway",
            path=str(out),
        )
    from blueprints.spec.loader import load_spec

    with spec_errors():
        loaded = load_spec(spec, env).spec
        target = loaded.target
    if target != "kubernetes":
        usage_error(
            f"render writes Kubernetes manifests, but {spec} targets {target}",
            "use `agentha-blueprint synth` (or `pulumi up`) for this target, or set `target: kubernetes`",
            path="target",
        )
    with spec_errors(), progress("synthesizing under Pulumi mocks…", quiet=quiet):
        result = run_synth(spec, env)
        phase(f"rendering {len(result.graph):,} resources as manifests")
        with frozen_heap():
            try:
                objects = collect(result.graph)
            except ValueError as err:
                usage_error(str(err), "rename one of the two parts in the spec", path="(manifests)")
            manifests = render_collected(objects)
    manifests.update(_failover_files(result, loaded, env, objects))
    if previous and not force:
        with spec_errors():
            edited = _edited(out, previous, manifests)
            if edited:
                raise SpecError.of(edited)
    files = {out / rel: text for rel, text in manifests.items()}
    files[out / MARKER] = marker_text(result.plan.system, env, manifests)
    # Files this command wrote before may be replaced; anything else needs --force.
    ours = {out / rel for rel in previous or [] if _safe(rel)} | {out / MARKER}
    from cli.files import plan_writes, write_files

    try:
        with spec_errors():
            plan_writes({p: t for p, t in files.items() if p not in ours}, force=force)
            written = write_files(files, force=True)
    except OSError as err:
        usage_error(
            f"could not write {err.filename or out}: {err.strerror or err}",
            "check the folder's permissions and free space",
        )
    stale = sorted(out / rel for rel in previous or [] if _safe(rel) and rel not in manifests)
    for path in stale:
        path.unlink(missing_ok=True)
        if path.parent != out and path.parent.is_dir() and not any(path.parent.iterdir()):
            path.parent.rmdir()
    _report(out, written, stale, result.graph.exports)


def _failover_files(result: Any, spec: Any, env: str | None, objects: Sequence[Manifest]) -> dict[str, str]:
    """FAILOVER.md and check-primary.sh (active-passive), after checking that the render names one primary."""
    from stacks.failover_runbook import failover_files, primary_problems

    two_primaries = primary_problems(objects)
    if two_primaries:
        usage_error(
            "these manifests would not name exactly one primary: " + "; ".join(two_primaries),
            "set topology.failover.current_primary to the one region that takes writes",
            path="topology.failover",
        )
    spec_primary = next((r.name for r in spec.topology.regions if r.role == "primary"), result.plan.primary_region.name)
    return failover_files(result.plan, objects, env, spec_primary)


def _report(out: Path, written: list[Any], stale: list[Path], exports: dict[str, Any]) -> None:
    from rich.markup import escape

    err = console(stderr=True)
    files = [w for w in written if w.path.name != MARKER]
    counts: dict[str, int] = {}
    for item in files:
        counts[item.status] = counts.get(item.status, 0) + 1
    regions = {w.path.relative_to(out).parts[0] for w in files if len(w.path.relative_to(out).parts) > 1}
    done = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    err.print(f"{escape(str(out))}: {len(files)} files for {len(regions)} region(s) ({done})")
    if stale:
        err.print(f"removed {len(stale)} file(s) the spec no longer produces")
    secrets = (exports.get("kubernetes") or {}).get("requiredSecrets") or {}
    for region, items in sorted(secrets.items()):
        if not items:
            continue
        err.print(f"[bold]{escape(region)}[/bold]: create these Secrets before applying (values never in manifests):")
        for item in items:
            keys = ", ".join(item.get("keys", []))
            err.print(f"  {escape(item['name'])} ({escape(keys)}): {escape(item.get('purpose', ''))}")
