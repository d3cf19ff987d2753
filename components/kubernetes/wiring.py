"""How an agent reaches what it uses: environment, CA files and the pods it may connect to.

Plain records, computed from names alone (no resource outputs), so an agent's pod spec and its
NetworkPolicy are known before the stores and brokers exist and render deterministically.
"""

from __future__ import annotations

from dataclasses import dataclass

TLS_MOUNT = "/etc/agentha/tls"
"""Where CA certificates of stores and brokers are mounted in agent containers (read-only)."""


@dataclass(frozen=True)
class EnvVar:
    """A literal value, or a key of a Secret referenced by name (never a secret value)."""

    name: str
    value: str | None = None
    secret: str | None = None
    key: str | None = None


@dataclass(frozen=True)
class CaFile:
    """One key of a Secret, projected into the agent's TLS folder at `path` (relative)."""

    secret: str
    key: str
    path: str


@dataclass(frozen=True)
class Peer:
    """Pods an agent may open connections to (in the system's namespace unless `namespace` says another, or
    address ranges of another region's cluster), and on which ports."""

    match_labels: tuple[tuple[str, str], ...]
    ports: tuple[int, ...]
    namespace: str | None = None
    """Another namespace of the same cluster (None: the system's own)."""
    cidrs: tuple[str, ...] = ()
    """Address ranges instead of pods: another region's cluster reached over the cross-region network."""


@dataclass(frozen=True)
class Wiring:
    env: tuple[EnvVar, ...] = ()
    ca_files: tuple[CaFile, ...] = ()
    peers: tuple[Peer, ...] = ()

    def __add__(self, other: Wiring) -> Wiring:
        return Wiring(
            env=self.env + other.env,
            ca_files=tuple(dict.fromkeys(self.ca_files + other.ca_files)),
            peers=tuple(dict.fromkeys(self.peers + other.peers)),
        )


@dataclass(frozen=True)
class BacklogSource:
    """A queue whose backlog scales a consumer (KEDA's RabbitMQ scaler, management API over TLS)."""

    host: str
    """https://<broker service>:15671/<vhost>"""
    vhost: str
    queue: str
    credentials_secret: str
    """Secret with `username` and `password` keys (the broker's KEDA user)."""
    ca_secret: str
    """Secret whose `ca.crt` key verifies the broker's certificate."""
