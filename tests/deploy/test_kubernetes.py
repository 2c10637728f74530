"""deploy/kubernetes/: each overlay rendered by kustomize (`kubectl kustomize`, the machine's kubectl), every
manifest validated against the Kubernetes OpenAPI schemas in strict mode (`kubernetes-validate`, locked), then
the properties the operator relies on: probes, resources, a locked-down securityContext with a writable
/tmp only, graceful termination longer than the app's grace period, the migration Job, the worker, Service,
Ingress body limits, HPA, PDB, NetworkPolicy, and secrets referenced, never written."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import kubernetes_validate
import pytest
import yaml

from services.common.settings import load_settings
from services.trace.epcis_capture import CAPTURE_MAX_BYTES
from tests.conftest import ROOT

KUBERNETES = ROOT / "deploy" / "kubernetes"
OVERLAYS = ("dev", "production")
# The oldest Kubernetes release still commonly run, and the newest the schemas know.
VERSIONS = ("1.30.0", kubernetes_validate.latest_version())
SECRET = "ocop-hub-secrets"
SECRET_KEYS = {"DATABASE_URL", "OCOP_SECRET_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}


def render(overlay: str) -> list[dict[str, Any]]:
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl (kustomize) is needed: apt-get install kubectl, or see deploy/README.md"
    result = subprocess.run(
        [kubectl, "kustomize", str(KUBERNETES / "overlays" / overlay)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@pytest.fixture(scope="module", params=OVERLAYS)
def manifests(request: pytest.FixtureRequest) -> tuple[str, list[dict[str, Any]]]:
    return request.param, render(request.param)


def one(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    found = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, (kind, name, [(d["kind"], d["metadata"]["name"]) for d in docs])
    return found[0]


def containers(doc: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(pod spec, container) of a Deployment or Job."""
    pod = doc["spec"]["template"]["spec"]
    for container in [*pod.get("initContainers", []), *pod["containers"]]:
        yield pod, container


def config_data(docs: list[dict[str, Any]]) -> dict[str, str]:
    maps = [
        d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("ocop-hub-config")
    ]
    assert len(maps) == 1
    return dict(maps[0]["data"])


def test_every_rendered_manifest_is_valid_against_the_kubernetes_schemas(
    manifests: tuple[str, list[dict[str, Any]]],
) -> None:
    _, docs = manifests
    kinds = {d["kind"] for d in docs}
    assert {
        "Namespace",
        "ServiceAccount",
        "ConfigMap",
        "Deployment",
        "Job",
        "Service",
        "Ingress",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "NetworkPolicy",
    } <= kinds
    for version in VERSIONS:
        for doc in docs:
            # strict: an unknown or misspelt field is an error, not silently dropped by the API server
            kubernetes_validate.validate(doc, version, strict=True)


def test_a_misspelt_field_is_caught_by_the_validation() -> None:
    docs = render("production")
    broken = yaml.safe_load(yaml.safe_dump(one(docs, "Deployment", "ocop-hub-api")))
    broken["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = broken["spec"]["template"]["spec"][
        "containers"
    ][0].pop("readinessProbe")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, VERSIONS[-1], strict=True)


def test_the_api_deployment_probes_limits_and_terminates_gracefully(
    manifests: tuple[str, list[dict[str, Any]]],
) -> None:
    _, docs = manifests
    api = one(docs, "Deployment", "ocop-hub-api")
    grace = float(config_data(docs)["OCOP_SHUTDOWN_GRACE_S"])
    assert grace == load_settings({"OCOP_SHUTDOWN_GRACE_S": str(grace)}).shutdown_grace_s
    pod, container = next(containers(api))
    assert container["args"] == ["serve"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(container["resources"][kind])
    # preStop keeps the pod serving while it leaves the endpoints; then SIGTERM and the app's grace period,
    # all within the pod's termination grace period.
    sleep = container["lifecycle"]["preStop"]["exec"]["command"]
    assert sleep[0] == "sleep"
    assert pod["terminationGracePeriodSeconds"] > grace + float(sleep[1])
    assert api["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


def test_every_pod_runs_locked_down_with_a_writable_tmp_only(
    manifests: tuple[str, list[dict[str, Any]]],
) -> None:
    _, docs = manifests
    workloads = [d for d in docs if d["kind"] in ("Deployment", "Job")]
    assert {d["metadata"]["name"] for d in workloads} == {
        "ocop-hub-api",
        "ocop-hub-worker",
        "ocop-hub-migrate",
    }
    images = set()
    for workload in workloads:
        for pod, container in containers(workload):
            images.add(container["image"])
            assert pod["securityContext"]["runAsNonRoot"] is True
            assert pod["securityContext"]["runAsUser"] == 10001  # the image's user (deploy/Dockerfile)
            assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
            assert pod["automountServiceAccountToken"] is False
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False
            assert security["readOnlyRootFilesystem"] is True
            assert security["capabilities"]["drop"] == ["ALL"]
            tmp = [m for m in container["volumeMounts"] if m["mountPath"] == "/tmp"]
            assert len(tmp) == 1
            volume = next(v for v in pod["volumes"] if v["name"] == tmp[0]["name"])
            assert "emptyDir" in volume
            assert {"cpu", "memory"} <= set(container["resources"]["limits"])
    # One image for every role, pinned by the overlay (not the base's placeholder name).
    assert len(images) == 1
    assert next(iter(images)).startswith("registry.example.vn/ocop-hub:")
    worker = one(docs, "Deployment", "ocop-hub-worker")
    assert next(containers(worker))[1]["args"][0] == "worker"
    worker_pod = worker["spec"]["template"]["spec"]
    # procrastinate's workers give running renders 30 s, the local loop OCOP_SHUTDOWN_GRACE_S
    grace = float(config_data(docs)["OCOP_SHUTDOWN_GRACE_S"])
    assert worker_pod["terminationGracePeriodSeconds"] > max(grace, 30)
    assert config_data(docs)["OCOP_JOBS"] == "procrastinate", "API pods hand jobs to the workers"
    job = one(docs, "Job", "ocop-hub-migrate")
    assert next(containers(job))[1]["args"] == ["migrate"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"


def test_secrets_are_referenced_never_written(manifests: tuple[str, list[dict[str, Any]]]) -> None:
    _, docs = manifests
    assert not [d for d in docs if d["kind"] == "Secret"], "a Secret with values in the repository"
    config = config_data(docs)
    for name in config:
        assert not any(word in name for word in ("PASSWORD", "SECRET", "TOKEN")), name
    assert "DATABASE_URL" not in config
    for workload in (d for d in docs if d["kind"] in ("Deployment", "Job")):
        _, container = next(containers(workload))
        refs = {
            e["name"]: e["valueFrom"]["secretKeyRef"]
            for e in container["env"]
            if "secretKeyRef" in e.get("valueFrom", {})
        }
        assert set(refs) >= SECRET_KEYS, workload["metadata"]["name"]
        assert {ref["name"] for ref in refs.values()} == {SECRET}
        assert all(e.get("value") is None for e in container["env"]), container["env"]
        config_refs = [s["configMapRef"]["name"] for s in container["envFrom"]]
        assert config_refs == [next(d for d in docs if d["kind"] == "ConfigMap")["metadata"]["name"]]


def test_service_hpa_and_pdb_select_the_api_pods(manifests: tuple[str, list[dict[str, Any]]]) -> None:
    overlay, docs = manifests
    api = one(docs, "Deployment", "ocop-hub-api")
    labels = api["spec"]["template"]["metadata"]["labels"]
    service = one(docs, "Service", "ocop-hub-api")
    assert service["spec"]["selector"].items() <= labels.items()
    assert {p["targetPort"] for p in service["spec"]["ports"]} == {"http", "metrics"}
    hpa = one(docs, "HorizontalPodAutoscaler", "ocop-hub-api")
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "ocop-hub-api",
    }
    pdb = one(docs, "PodDisruptionBudget", "ocop-hub-api")
    assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()
    if overlay == "production":
        assert hpa["spec"]["minReplicas"] >= 3
        assert pdb["spec"]["minAvailable"] >= 2
        assert pdb["spec"]["minAvailable"] < hpa["spec"]["minReplicas"], "a node drain must be possible"
    policy = one(docs, "NetworkPolicy", "ocop-hub")
    assert policy["spec"]["podSelector"]["matchLabels"].items() <= labels.items()
    assert set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    allowed_ports = {p["port"] for rule in policy["spec"]["ingress"] for p in rule["ports"]}
    assert allowed_ports == {8000, 9100}
    # Every object lands in the overlay's namespace.
    namespace = one(docs, "Namespace", "ocop" if overlay == "production" else "ocop-dev")
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for doc in docs:
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == namespace["metadata"]["name"], doc["metadata"]["name"]


def test_the_ingress_limits_follow_the_apps_limits(manifests: tuple[str, list[dict[str, Any]]]) -> None:
    overlay, docs = manifests
    settings = load_settings({})
    ingresses = [d for d in docs if d["kind"] == "Ingress"]

    def body_limit(ingress: dict[str, Any]) -> int:
        value = str(ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"])
        return int(value[:-1]) * 1024 * 1024 if value.endswith("m") else int(value)

    paths = {
        path["path"]: ingress
        for ingress in ingresses
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    # Equal to the app's limits, not larger: a body the app refuses mid-stream is a 502 at the edge.
    assert body_limit(paths["/"]) == settings.graphql_max_bytes
    assert body_limit(paths["/epcis/capture"]) == CAPTURE_MAX_BYTES
    for upload in ("/uploads", "/registry/imports/upload"):
        assert body_limit(paths[upload]) == settings.upload_max_mb * 1024 * 1024
        annotations = paths[upload]["metadata"]["annotations"]
        assert annotations["nginx.ingress.kubernetes.io/proxy-request-buffering"] == "off"
    # WebSockets (subscriptions) outlive the app's heartbeat.
    timeout = paths["/"]["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-read-timeout"]
    assert int(timeout) > settings.ws_heartbeat_s
    hosts = {rule["host"] for ingress in ingresses for rule in ingress["spec"]["rules"]}
    public = config_data(docs)["OCOP_PUBLIC_BASE_URL"]
    assert hosts == {public.removeprefix("https://")}, "the Ingress serves the host printed in QR codes"
    if overlay == "production":
        assert all(ingress["spec"]["tls"] for ingress in ingresses)
