"""StateStore: a spec store in one region's cluster, run by an operator.

- `postgres`: a CloudNativePG `Cluster` — instances spread over the zones (one per node), a
  synchronous standby when the zone RPO is 0 (quorum failover: only an up-to-date standby is
  promoted), continuous WAL archiving and scheduled base backups to an object store, and in
  multi-region patterns a replica cluster in every other region (CloudNativePG's distributed
  topology: the replicas restore the primary's WAL from the object store, so the clusters need no
  network path to each other; `replica.primary` names the current primary for a controlled
  switchover).
- `redis`: the OT-CONTAINER-KIT redis-operator's `RedisReplication` (one primary, replicas in the
  other zones) watched by a `RedisSentinel` quorum of three that promotes a replica when the primary
  is lost. Chosen because its CRDs can be rendered and schema-checked offline (a Helm chart cannot),
  it is Apache-2.0 and maintained, and it runs plain Redis with Sentinel, the failover every Redis
  client library speaks. Its failover has known rough edges (see docs/kubernetes.md); the planner
  already counts Redis replication as asynchronous. Every connection is TLS: clients to Redis and
  to Sentinel, replicas to the primary, Sentinels to Redis and to each other, the exporter and the
  operator (see `redis_tls_config`).

Every store also gets a NetworkPolicy: only its own pods, the agents that use it, its operator
and Prometheus may connect.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pulumi

from blueprints.capacity import synchronous_durability
from blueprints.plan.models import StorePlan
from components.kubernetes.meta import (
    OPERATOR_NAME_LIMIT,
    STATEFUL_ANNOTATIONS,
    RegionScope,
    custom_resource,
    env_name,
    memory_quantity,
    object_name,
    stateful_priority_class,
)
from components.kubernetes.network_policy import service_ingress
from components.kubernetes.wiring import TLS_MOUNT, CaFile, EnvVar, Peer, Wiring

POSTGRES_PORT = 5432
REDIS_PORT = 6379
SENTINEL_PORT = 26379
ZONE_KEY = "topology.kubernetes.io/zone"
POSTGRES_IMAGE = "ghcr.io/cloudnative-pg/postgresql:17.5"
"""Pinned: an operator upgrade must not change the PostgreSQL version under a running cluster."""
REDIS_IMAGE = "quay.io/opstree/redis:v7.0.15"
SENTINEL_IMAGE = "quay.io/opstree/redis-sentinel:v7.0.15"
REDIS_EXPORTER_IMAGE = "quay.io/opstree/redis-exporter:v1.44.0"
REDIS_TLS_DIR = "/tls"
"""Where the redis-operator mounts `spec.TLS.secret` in Redis and Sentinel containers (and the exporter):
`internal/k8sutils/statefulset.go`, `getVolumeMount`, at v0.26.0."""
REDIS_TLS_KEYS = {"ca": "ca.crt", "cert": "tls.crt", "key": "tls.key"}
"""The TLS Secret's keys (cert-manager's names). `ca` is set explicitly: only then does the operator
(0.24+) export `REDIS_TLS_CA_CERT`, which its probes and pre-stop hooks pass to `redis-cli --cacert`."""
REDIS_EXTERNAL_CONFIG = "redis-additional.conf"
SENTINEL_EXTERNAL_CONFIG = "redis-sentinel-additional.conf"
"""File names the OT-CONTAINER-KIT/redis images' entrypoints `include` last from
/etc/redis/external.conf.d (`EXTERNAL_CONFIG_FILE` in `entrypoint.sh` / `entrypoint-sentinel.sh`), where
the operator mounts `redisConfig.additionalRedisConfig` / `redisSentinelConfig.additionalSentinelConfig`."""
SENTINEL_SIZE = 3
"""Three Sentinels: a majority (2) survives the loss of any one zone."""
RESTRICTED_CONTAINER: dict[str, Any] = {
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "runAsNonRoot": True,
    "seccompProfile": {"type": "RuntimeDefault"},
}
"""A Redis, Sentinel or exporter container's security context: what Pod Security `restricted` asks."""
BACKUP_SCHEDULE = "0 0 2 * * *"
"""Daily base backup at 02:00 (CloudNativePG's cron has a seconds field)."""
FENCED_INSTANCES = "cnpg.io/fencedInstances"
"""CloudNativePG's fencing annotation (pkg/utils/labels_annotations.go): a JSON list of instance names,
`["*"]` for all. A fenced instance keeps its pod and volume but runs no PostgreSQL: nothing can write.
A fenced Cluster that names another primary is demoted by the operator, whose replica-cluster transition
(pkg/reconciler/replicaclusterswitch) fences all instances itself and removes `["*"]` once the primary
is a designated primary: PostgreSQL then runs in recovery, still read-only."""
FENCE_ALL = '["*"]'
ARCHIVE_TIMEOUT_S = 300
"""CloudNativePG's default `archive_timeout` (5min, pkg/postgres/configuration.go), not overridden here:
WAL reaches the object store, and so the other regions, at least this often while the primary writes."""


def postgres_cluster_name(system: str, store: str, region: str, multi_region: bool) -> str:
    """The CloudNativePG Cluster's name; region-qualified when clusters in several regions replicate."""
    return object_name(system, store, region if multi_region else None, limit=OPERATOR_NAME_LIMIT)


def redis_name(system: str, store: str) -> str:
    return object_name(system, store, limit=OPERATOR_NAME_LIMIT)


def postgres_rw_service(system: str, store: str) -> str:
    """A multi-region store's read-write Service: the same name in every region's cluster.

    CloudNativePG's own `<cluster>-rw` carries the region-qualified cluster name; this additional
    Service (`managed.services.additional`, selector kept by the operator) gives agents one address,
    and so one connection string, in every region.
    """
    return object_name(system, store, "rw")


def postgres_credentials_secret(system: str, store: str) -> str:
    """A multi-region store's application credentials (set out of band, identical in every region).

    CloudNativePG creates `<cluster>-app` only for a cluster it bootstraps with `initdb`, never for a
    replica cluster: standby regions would have no Secret to start their agents from, before or after
    a promotion. The primary bootstraps its owner from this Secret instead (`initdb.secret`), and
    physical replication carries the role, password included, to every region.
    """
    return object_name(system, store, "app-credentials", limit=253)


def redis_tls_secret(system: str, store: str) -> str:
    """A `redis` store's TLS Secret (`tls.crt`, `tls.key`, `ca.crt`), created before the first deploy."""
    return f"{redis_name(system, store)}-tls"


def redis_tls_config(port: int) -> str:
    """Redis or Sentinel settings that make every connection TLS, included after the image's own.

    The images' entrypoints write a TLS set-up of their own from the operator's `TLS_MODE`, but which
    one depends on when the pinned tag was built: `entrypoint.sh` wrote `tls-replication yes` only in
    cluster mode before OT-CONTAINER-KIT/redis#86 (September 2024), so a replica could not reach a
    TLS-only primary, and `entrypoint-sentinel.sh` never writes it, so a Sentinel dials Redis and the
    other Sentinels in plain text (the operator's own config generator sets it: redis-operator#1472).
    Before #70 and #81 both also bound the plain and the TLS port to the same number. The file is
    `include`d last, and Redis keeps the last value of a directive, so this holds on every image:
    TLS only on the usual port, the peer verified against the CA, and TLS for outgoing links too.
    Clients need no certificate of their own (`tls-auth-clients optional`): the password authenticates
    them.
    """
    tls = {k: f"{REDIS_TLS_DIR}/{v}" for k, v in REDIS_TLS_KEYS.items()}
    return "\n".join(
        (
            "# agentha: TLS on every connection (included last: these values win).",
            "port 0",
            f"tls-port {port}",
            f"tls-cert-file {tls['cert']}",
            f"tls-key-file {tls['key']}",
            f"tls-ca-cert-file {tls['ca']}",
            "tls-auth-clients optional",
            "tls-replication yes",
            "",
        )
    )


def postgres_write_service(system: str, store: str, region: str) -> str:
    """`writes: primary-region`: a region's headless Service of its primary's pod (`<cluster>-write`).

    Region-qualified so that one DNS name means one region's database in every cluster; headless so
    that the name resolves to the primary pod's address, which the cross-region pod network routes (a
    ClusterIP is reachable inside its own cluster only). CloudNativePG keeps the selector on the primary
    (`managed.services.additional`, `selectorType: rw`) and keeps the template's `clusterIP: None`.
    """
    return object_name(postgres_cluster_name(system, store, region, True), "write")


def postgres_write_host(system: str, store: str, region: str, namespace: str) -> str:
    """The write endpoint agents of every region use: the primary region's `-write` Service, by the full
    name every cluster's DNS forwards to that region's (docs/kubernetes.md, cross-region network)."""
    return f"{postgres_write_service(system, store, region)}.{namespace}.svc.cluster.local"


def store_secret(system: str, store: StorePlan, region: str) -> str:
    """The Secret (key `uri`) an agent in `region` connects to `store` with."""
    if len(store.regions) > 1:
        return postgres_credentials_secret(system, store.name)
    return f"{postgres_cluster_name(system, store.name, region, False)}-app"


def store_wiring(
    system: str, namespace: str, store: StorePlan, region: str, primary_cidrs: tuple[str, ...] = ()
) -> Wiring:
    """What an agent using `store` gets: a connection string or Sentinel address, CA, allowed peers.

    `primary_cidrs`: `writes: primary-region` only, the pod ranges of the primary region's cluster."""
    prefix = f"AGENTHA_STORE_{env_name(store.name)}"
    if store.engine == "postgres" and store.writes == "primary-region":
        local = postgres_cluster_name(system, store.name, region, True)
        primary = postgres_cluster_name(system, store.name, store.primary_region, True)
        rw = postgres_rw_service(system, store.name)
        secret = postgres_credentials_secret(system, store.name)
        here = region == store.primary_region
        write_ca = f"{store.name}/write-ca.crt"
        read_ca = f"{store.name}/ca.crt"
        return Wiring(
            env=(
                # Writes: the primary region's database, from every region; reads: this region's copy.
                EnvVar(
                    f"{prefix}_WRITE_HOST",
                    value=postgres_write_host(system, store.name, store.primary_region, namespace),
                ),
                EnvVar(f"{prefix}_READ_HOST", value=f"{rw}.{namespace}.svc"),
                EnvVar(f"{prefix}_PORT", value=str(POSTGRES_PORT)),
                EnvVar(f"{prefix}_DBNAME", value="app"),
                EnvVar(f"{prefix}_USER", secret=secret, key="username"),
                EnvVar(f"{prefix}_PASSWORD", secret=secret, key="password"),
                EnvVar(f"{prefix}_SSLMODE", value="verify-full"),
                EnvVar(f"{prefix}_WRITE_CA_FILE", value=f"{TLS_MOUNT}/{write_ca}"),
                EnvVar(f"{prefix}_READ_CA_FILE", value=f"{TLS_MOUNT}/{read_ca}"),
            ),
            ca_files=(
                CaFile(secret=f"{local}-ca", key="ca.crt", path=read_ca),
                # In another region the primary's CA is a copy the user keeps there (a required secret).
                CaFile(secret=f"{primary}-ca", key="ca.crt", path=write_ca),
            ),
            peers=(Peer(match_labels=(("cnpg.io/cluster", local),), ports=(POSTGRES_PORT,)),)
            + (() if here else (Peer(match_labels=(), ports=(POSTGRES_PORT,), cidrs=primary_cidrs),)),
        )
    if store.engine == "postgres":
        cluster = postgres_cluster_name(system, store.name, region, len(store.regions) > 1)
        ca_path = f"{store.name}/ca.crt"
        return Wiring(
            env=(
                # `uri` points at the read-write service: the operator's app-user Secret in one region,
                # the store's own credentials Secret (same URI in every region) across regions.
                EnvVar(f"{prefix}_URI", secret=store_secret(system, store, region), key="uri"),
                EnvVar(f"{prefix}_SSLMODE", value="verify-full"),
                EnvVar(f"{prefix}_CA_FILE", value=f"{TLS_MOUNT}/{ca_path}"),
            ),
            ca_files=(CaFile(secret=f"{cluster}-ca", key="ca.crt", path=ca_path),),
            peers=(Peer(match_labels=(("cnpg.io/cluster", cluster),), ports=(POSTGRES_PORT,)),),
        )
    name = redis_name(system, store.name)
    ca_path = f"{store.name}/ca.crt"
    return Wiring(
        env=(
            EnvVar(f"{prefix}_SENTINELS", value=f"{name}-sentinel.{namespace}.svc:{SENTINEL_PORT}"),
            EnvVar(f"{prefix}_MASTER_NAME", value=store.name),
            EnvVar(f"{prefix}_PASSWORD", secret=f"{name}-auth", key="password"),
            # Sentinel and Redis listen only on TLS: connect to both with TLS, verifying the CA.
            EnvVar(f"{prefix}_TLS", value="true"),
            EnvVar(f"{prefix}_CA_FILE", value=f"{TLS_MOUNT}/{ca_path}"),
            # Sentinel answers with the primary's pod IP, which no certificate can name: verify the
            # chain, not the host name (as the operator does: VerifyCertificateExceptServerName).
            EnvVar(f"{prefix}_TLS_CHECK_HOSTNAME", value="false"),
        ),
        ca_files=(CaFile(secret=redis_tls_secret(system, store.name), key=REDIS_TLS_KEYS["ca"], path=ca_path),),
        peers=(
            Peer(match_labels=(("app", name),), ports=(REDIS_PORT,)),
            Peer(match_labels=(("app", f"{name}-sentinel"),), ports=(SENTINEL_PORT,)),
        ),
    )


def zone_spread(match_labels: dict[str, str], zones: int) -> list[dict[str, Any]]:
    """Spread a store's pods evenly over the region's zones; with one zone, schedule them anyway."""
    return [
        {
            "maxSkew": 1,
            "topologyKey": ZONE_KEY,
            "whenUnsatisfiable": "DoNotSchedule" if zones > 1 else "ScheduleAnyway",
            "labelSelector": {"matchLabels": match_labels},
        }
    ]


def backup_credential_keys(destination: str) -> tuple[str, ...]:
    """Keys of the backup credentials Secret for an object-store URL (Barman Cloud's providers)."""
    if destination.startswith("s3://"):
        return ("ACCESS_KEY_ID", "ACCESS_SECRET_KEY")
    if destination.startswith("gs://"):
        return ("credentials.json",)
    if destination.startswith("https://") and ".blob.core." in destination:
        return ("AZURE_CONNECTION_STRING",)
    raise ValueError(
        f"backup destination {destination!r}: use s3://bucket/path, gs://bucket/path or "
        "https://<account>.blob.core.windows.net/<container>/path"
    )


def object_store_credentials(destination: str, secret: str) -> dict[str, Any]:
    """The `barmanObjectStore` credentials block for the destination's provider.

    Barman Cloud picks its provider from the block that is set (exactly one may be), so an S3 block in
    front of a `gs://` or Azure URL would fail every WAL archive: the block follows the URL.
    """
    keys = backup_credential_keys(destination)
    if destination.startswith("s3://"):
        return {
            "s3Credentials": {
                "accessKeyId": {"name": secret, "key": keys[0]},
                "secretAccessKey": {"name": secret, "key": keys[1]},
            }
        }
    if destination.startswith("gs://"):
        return {"googleCredentials": {"applicationCredentials": {"name": secret, "key": keys[0]}}}
    return {"azureCredentials": {"connectionString": {"name": secret, "key": keys[0]}}}


@dataclass(frozen=True)
class StateStoreArgs:
    scope: RegionScope
    store: StorePlan
    user_instances: tuple[str, ...] = ()
    """`app.kubernetes.io/instance` labels of the agents allowed to connect."""
    backup_destination: str = ""
    """Object-store URL for WAL and base backups (`s3://bucket/prefix`, `gs://`, `https://...blob`)."""
    backup_credentials_secret: str = ""
    """Secret with ACCESS_KEY_ID and ACCESS_SECRET_KEY for the object store."""
    fenced: bool = False
    """This region returns from an outage after a failover: its PostgreSQL instances are fenced."""
    storage_class: str | None = None
    operator_namespace: str = "cnpg-system"
    monitoring_namespace: str = "monitoring"
    postgres_image: str = POSTGRES_IMAGE
    redis_image: str = REDIS_IMAGE
    sentinel_image: str = SENTINEL_IMAGE
    exporter_image: str = REDIS_EXPORTER_IMAGE
    regions: tuple[str, ...] = field(default=())
    """Every region holding a copy (the store's regions), primary first."""
    peer_cidrs: tuple[str, ...] = field(default=())
    """`writes: primary-region`: the other regions' pod ranges, whose agents write to this database."""


class StateStore(pulumi.ComponentResource):
    """One store in one region (see the module docstring)."""

    name: str
    engine: str
    role: str

    def __init__(self, name: str, args: StateStoreArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("agentha:kubernetes:StateStore", name, None, opts)
        self._args = args
        scope, store = args.scope, args.store
        self.engine = store.engine
        self.role = "primary" if scope.region == store.primary_region else "replica"
        self._spec_path = f"stores.{store.name}"
        if store.engine == "postgres":
            self.name = postgres_cluster_name(scope.system, store.name, scope.region, len(store.regions) > 1)
            self._labels = scope.labels(name=store.name, instance=self.name, component="store")
            self._postgres()
        else:
            self.name = redis_name(scope.system, store.name)
            self._labels = scope.labels(name=store.name, instance=self.name, component="store")
            self._redis()
        self.register_outputs({"name": self.name, "engine": self.engine, "role": self.role})

    def _meta(self, name: str, *, stateful: bool = False) -> Any:
        return self._args.scope.metadata(
            name,
            labels=self._labels,
            spec_path=self._spec_path,
            annotations=STATEFUL_ANNOTATIONS if stateful else None,
        )

    def _rname(self, role: str) -> str:
        return self._args.scope.resource_name(self._args.store.name, role)

    def _inherited_labels(self) -> dict[str, str]:
        # Pods, Services and volumes the operator makes carry the spec's tags too (its own
        # app.kubernetes.io labels stay the operator's).
        return {k: v for k, v in self._labels.items() if not k.startswith("app.kubernetes.io/")} | {
            "agentha.dev/system": self._args.scope.system
        }

    # --- postgres --------------------------------------------------------------------------------

    def _object_store(self, server_name: str) -> dict[str, Any]:
        args = self._args
        return {
            "destinationPath": args.backup_destination,
            "serverName": server_name,
            **object_store_credentials(args.backup_destination, args.backup_credentials_secret),
            "wal": {"compression": "gzip", "maxParallel": 2},
            "data": {"compression": "gzip"},
        }

    def _postgres(self) -> None:
        args, scope, store = self._args, self._args.scope, self._args.store
        regions = args.regions or store.regions
        multi = len(regions) > 1
        names = {r: postgres_cluster_name(scope.system, store.name, r, multi) for r in regions}
        primary = names[store.primary_region]
        zones = len(store.zones_in(scope.region)) or 1
        instances = max(1, store.instances_in(scope.region))
        spec: dict[str, Any] = {
            "description": f"{scope.system} store {store.name} ({self.role} in {scope.region})",
            "instances": instances,
            "imageName": args.postgres_image,
            "primaryUpdateStrategy": "unsupervised",
            # Updates move the primary by a switchover to an up-to-date standby, not a restart.
            "primaryUpdateMethod": "switchover",
            # The operator's budget keeps the primary (minAvailable 1): over one instance that would
            # refuse every drain of its node, so a single instance gets none.
            "enablePDB": instances > 1,
            # Above every agent's class: agents never preempt the database they write to.
            "priorityClassName": stateful_priority_class(scope.system),
            "inheritedMetadata": {"labels": self._inherited_labels()},
            "storage": {"size": memory_quantity(store.storage_mib)}
            | ({"storageClass": args.storage_class} if args.storage_class else {}),
            "affinity": {
                # Never two instances on one node; spread evenly over the zones below.
                "enablePodAntiAffinity": True,
                "topologyKey": "kubernetes.io/hostname",
                "podAntiAffinityType": "required",
            },
            "topologySpreadConstraints": zone_spread({"cnpg.io/cluster": self.name}, zones),
            "resources": {
                "requests": {"cpu": "500m", "memory": "1Gi"},
                "limits": {"cpu": "2000m", "memory": "1Gi"},
            },
            "backup": {
                "retentionPolicy": f"{store.backup_retention_days}d",
                "barmanObjectStore": self._object_store(self.name),
            },
        }
        if store.synchronous_in_region and instances > 1:
            # Zone RPO 0: a commit returns only once a standby in another zone has it, and only such a
            # standby may be promoted.
            spec["postgresql"] = {
                "synchronous": {
                    "method": "any",
                    "number": 1,
                    "dataDurability": synchronous_durability(instances, zones),
                    "failoverQuorum": True,
                }
            }
        if multi:
            rw = postgres_rw_service(scope.system, store.name)
            additional: list[dict[str, Any]] = [
                {
                    "selectorType": "rw",
                    "serviceTemplate": {"metadata": {"name": rw, "labels": dict(self._labels)}},
                }
            ]
            # Clients verify the server certificate (`sslmode=verify-full`) against this Service's name.
            alt_names = [rw, f"{rw}.{scope.namespace}", f"{rw}.{scope.namespace}.svc"]
            if store.writes == "primary-region":
                # Every region's agents write to the primary's pod by this region-qualified headless name.
                write = postgres_write_service(scope.system, store.name, scope.region)
                additional.append(
                    {
                        "selectorType": "rw",
                        "serviceTemplate": {
                            "metadata": {"name": write, "labels": dict(self._labels)},
                            "spec": {"clusterIP": "None"},
                        },
                    }
                )
                alt_names.append(postgres_write_host(scope.system, store.name, scope.region, scope.namespace))
            spec["managed"] = {"services": {"additional": additional}}
            spec["certificates"] = {"serverAltDNSNames": alt_names}
            spec["externalClusters"] = [
                {"name": cluster, "barmanObjectStore": self._object_store(cluster)} for cluster in names.values()
            ]
            others = [c for r, c in names.items() if r != scope.region]
            spec["replica"] = {
                "primary": primary,
                # The primary names a replica as its source so a demotion has somewhere to follow.
                "source": primary if self.role == "replica" else others[0],
            }
        if self.role == "primary":
            initdb: dict[str, Any] = {"database": "app", "owner": "app", "dataChecksums": True}
            if multi:
                initdb["secret"] = {"name": postgres_credentials_secret(scope.system, store.name)}
            spec["bootstrap"] = {"initdb": initdb}
        else:
            spec["bootstrap"] = {"recovery": {"source": primary}}
        notes = dict(STATEFUL_ANNOTATIONS)
        if args.fenced:
            # Returning after a failover: nothing may write here until this copy is rebuilt as a replica.
            notes[FENCED_INSTANCES] = FENCE_ALL
        metadata = self._args.scope.metadata(
            self.name, labels=self._labels, spec_path=self._spec_path, annotations=notes
        )
        custom_resource(
            self._rname("cluster"),
            api_version="postgresql.cnpg.io/v1",
            kind="Cluster",
            metadata=metadata,
            spec=spec,
            opts=self._args.scope.opts(
                self,
                protect=True,
                # Bootstrap is read once at creation; a later switchover must not look like a rebuild.
                ignore_changes=["spec.bootstrap"],
            ),
        )
        if self.role == "primary":
            custom_resource(
                self._rname("scheduled-backup"),
                api_version="postgresql.cnpg.io/v1",
                kind="ScheduledBackup",
                metadata=self._meta(self.name),
                spec={
                    "schedule": BACKUP_SCHEDULE,
                    "cluster": {"name": self.name},
                    "method": "barmanObjectStore",
                    "immediate": True,
                    "backupOwnerReference": "self",
                    # Read the base backup from a standby, not from the primary serving writes.
                    "target": "prefer-standby",
                },
                opts=self._args.scope.opts(self),
            )
        self._network_policy(
            pods={"cnpg.io/cluster": self.name},
            client_ports=(POSTGRES_PORT,),
            operator_ports=(8000, POSTGRES_PORT),
            metrics_ports=(9187,),
            # writes: primary-region: the other regions' agents write here (admitted in every region, so
            # that a promoted replica region takes their writes too).
            remote=args.peer_cidrs if store.writes == "primary-region" else (),
        )

    # --- redis -----------------------------------------------------------------------------------

    def _redis(self) -> None:
        args, scope, store = self._args, self._args.scope, self._args.store
        secret = f"{self.name}-auth"
        zones = len(store.zones_in(scope.region)) or 1
        size = max(2, store.instances_in(scope.region))

        def kubernetes_config(image: str, *, cpu_request: str, cpu_limit: str, memory: str) -> dict[str, Any]:
            """The operator's pod settings: image, the store's password Secret, resources."""
            return {
                "image": image,
                "imagePullPolicy": "IfNotPresent",
                "redisSecret": {"name": secret, "key": "password"},
                "resources": {
                    "requests": {"cpu": cpu_request, "memory": memory},
                    "limits": {"cpu": cpu_limit, "memory": memory},
                },
            }

        def pod_settings(app: str) -> dict[str, Any]:
            """Redis and Sentinel pods alike: non-root, one per node, spread over the zones, one down at a time."""
            return {
                # Pod Security `restricted` (enforced on the namespace): non-root, RuntimeDefault seccomp,
                # no privilege escalation, every capability dropped.
                "podSecurityContext": {
                    "runAsUser": 1000,
                    "runAsGroup": 1000,
                    "fsGroup": 1000,
                    "runAsNonRoot": True,
                    "seccompProfile": {"type": "RuntimeDefault"},
                },
                "securityContext": RESTRICTED_CONTAINER,
                # Above every agent's class: agents never preempt the store they use.
                "priorityClassName": stateful_priority_class(scope.system),
                "topologySpreadConstraints": zone_spread({"app": app}, zones),
                "affinity": {
                    "podAntiAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": [
                            {"labelSelector": {"matchLabels": {"app": app}}, "topologyKey": "kubernetes.io/hostname"}
                        ]
                    }
                },
                "pdb": {"enabled": True, "maxUnavailable": 1},
            }

        # TLS on both custom resources, one Secret: the operator mounts it at /tls and dials Redis and
        # Sentinel over TLS from 0.22 (redis-operator#1472), verifying the chain against `ca.crt`.
        tls = dict(REDIS_TLS_KEYS) | {"secret": {"secretName": redis_tls_secret(scope.system, store.name)}}
        # The images' entrypoints read the CA's path from REDIS_TLS_CA_KEY, the operator's name for it
        # before 0.24 (redis-operator#1644 renamed it REDIS_TLS_CA_CERT): unset, they write an empty
        # `tls-ca-cert-file` and Redis refuses its configuration file.
        ca_env = [{"name": "REDIS_TLS_CA_KEY", "value": f"{REDIS_TLS_DIR}/{REDIS_TLS_KEYS['ca']}"}]
        tls_config = self._tls_config_map()
        custom_resource(
            self._rname("replication"),
            api_version="redis.redis.opstreelabs.in/v1beta2",
            kind="RedisReplication",
            metadata=self._meta(self.name, stateful=not store.cache),
            spec={
                "clusterSize": size,
                "kubernetesConfig": kubernetes_config(
                    args.redis_image, cpu_request="250m", cpu_limit="1000m", memory="512Mi"
                ),
                "redisConfig": {"maxMemoryPercentOfLimit": 80, "additionalRedisConfig": tls_config},
                "TLS": tls,
                "env": ca_env,
                "redisExporter": {
                    "enabled": True,
                    "image": args.exporter_image,
                    "imagePullPolicy": "IfNotPresent",
                    "securityContext": RESTRICTED_CONTAINER,
                },
                "storage": {
                    "volumeClaimTemplate": {
                        "spec": {
                            "accessModes": ["ReadWriteOnce"],
                            "resources": {"requests": {"storage": memory_quantity(store.storage_mib)}},
                        }
                        | ({"storageClassName": args.storage_class} if args.storage_class else {})
                    }
                },
                **pod_settings(self.name),
            },
            opts=self._args.scope.opts(self, protect=not store.cache),
        )
        custom_resource(
            self._rname("sentinel"),
            api_version="redis.redis.opstreelabs.in/v1beta2",
            kind="RedisSentinel",
            metadata=self._meta(self.name),
            spec={
                "clusterSize": SENTINEL_SIZE,
                "kubernetesConfig": kubernetes_config(
                    args.sentinel_image, cpu_request="100m", cpu_limit="250m", memory="128Mi"
                ),
                "redisSentinelConfig": {
                    "redisReplicationName": self.name,
                    "masterGroupName": store.name,
                    "redisReplicationPassword": {"secretKeyRef": {"name": secret, "key": "password"}},
                    "quorum": str(SENTINEL_SIZE // 2 + 1),
                    # From the plan (blueprints/plan/timing.py), which counts the same value in the zone RTO.
                    "downAfterMilliseconds": str(round((store.sentinel_down_after_s or 5.0) * 1000)),
                    "failoverTimeout": str(round((store.sentinel_failover_timeout_s or 60.0) * 1000)),
                    "parallelSyncs": "1",
                    "additionalSentinelConfig": tls_config,
                },
                "TLS": tls,
                "env": ca_env,
                **pod_settings(f"{self.name}-sentinel"),
            },
            opts=self._args.scope.opts(self),
        )
        self._network_policy(
            pods_in=(self.name, f"{self.name}-sentinel"),
            client_ports=(REDIS_PORT, SENTINEL_PORT),
            operator_ports=(REDIS_PORT, SENTINEL_PORT),
            metrics_ports=(9121,),
        )

    def _tls_config_map(self) -> str:
        """The ConfigMap both custom resources include last (`redis_tls_config`); returns its name."""
        from pulumi_kubernetes.core.v1 import ConfigMap

        name = f"{self.name}-tls-config"
        ConfigMap(
            self._rname("tls-config"),
            metadata=self._meta(name),
            # One map, two keys: each image includes only its own file from the mounted folder.
            data={
                REDIS_EXTERNAL_CONFIG: redis_tls_config(REDIS_PORT),
                SENTINEL_EXTERNAL_CONFIG: redis_tls_config(SENTINEL_PORT),
            },
            opts=self._args.scope.opts(self),
        )
        return name

    # --- who may connect -------------------------------------------------------------------------

    def _network_policy(
        self,
        *,
        client_ports: tuple[int, ...],
        operator_ports: tuple[int, ...],
        metrics_ports: tuple[int, ...],
        pods: dict[str, str] | None = None,
        pods_in: tuple[str, ...] = (),
        remote: tuple[str, ...] = (),
    ) -> None:
        from pulumi_kubernetes.meta.v1 import LabelSelectorArgs, LabelSelectorRequirementArgs
        from pulumi_kubernetes.networking.v1 import NetworkPolicy

        args = self._args
        if pods is not None:
            own = LabelSelectorArgs(match_labels=dict(pods))
        else:
            own = LabelSelectorArgs(
                match_expressions=[LabelSelectorRequirementArgs(key="app", operator="In", values=list(pods_in))]
            )
        # Ingress only: the operator's pods also reach the Kubernetes API and the object store, whose
        # addresses differ per cluster. Replication and Sentinel traffic flows between the store's own pods.
        spec = service_ingress(
            own,
            clients=sorted(args.user_instances),
            client_ports=client_ports,
            namespaces=[(args.operator_namespace, operator_ports), (args.monitoring_namespace, metrics_ports)],
            remote_cidrs=remote,
        )
        NetworkPolicy(
            self._rname("network-policy"),
            metadata=self._meta(self.name),
            spec=spec,
            opts=self._args.scope.opts(self),
        )
