"""The deployment files a project ships: compose, Kubernetes manifests and CI pipelines.

No container engine or cluster runs here: the files are parsed and checked against the
Kubernetes, compose-spec, GitHub Actions and GitLab CI schemas, offline, and their structure
is asserted so that removing a probe, a hardening field or a service fails a test.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import copier
import kubernetes_validate
import pytest
import yaml

from apigen.options import CHOICE_OPTIONS
from tests.fast_render import render
from tests.gates import check, tool

# The oldest Kubernetes release still in wide support; newer ones accept these manifests too.
TMP = "/tmp"  # noqa: S108  (a path inside the container, not on this machine)
KUBERNETES_VERSION = "1.30.0"
MANIFESTS = Path("deploy") / "kubernetes"
DEFAULTS = {option.name: option.default or "" for option in CHOICE_OPTIONS}

RENDERS: dict[str, dict[str, str]] = {
    "k8s-sqlite": {
        "deploy": "kubernetes",
        "database": "sqlite",
        "rate_limit": "memory",
        "metrics": "prometheus",
        "auth": "jwt",
        "ci": "gitlab",
    },
    "k8s-postgresql": {
        "deploy": "kubernetes",
        "database": "postgresql",
        "rate_limit": "redis",
        "auth": "oidc",
        "tracing": "otlp",
        "ci": "github",
    },
    "k8s-bare": {"deploy": "kubernetes", "rate_limit": "none", "auth": "none", "ci": "none"},
    "k8s-jwt-redis": {"deploy": "kubernetes", "rate_limit": "redis", "auth": "jwt", "ci": "none"},
    "compose-sqlite": {"deploy": "compose", "rate_limit": "memory", "ci": "github"},
    "compose-postgresql": {
        "deploy": "compose",
        "database": "postgresql",
        "rate_limit": "memory",
        "metrics": "prometheus",
        "ci": "gitlab",
    },
    "compose-redis": {"deploy": "compose", "rate_limit": "redis", "auth": "none", "ci": "gitlab"},
    "docker": {"deploy": "docker", "database": "postgresql", "rate_limit": "redis", "ci": "github"},
}
KUBERNETES = [name for name, answers in RENDERS.items() if answers["deploy"] == "kubernetes"]
COMPOSE = [name for name, answers in RENDERS.items() if answers["deploy"] == "compose"]
GITHUB = [name for name, answers in RENDERS.items() if answers["ci"] == "github"]
GITLAB = [name for name, answers in RENDERS.items() if answers["ci"] == "gitlab"]


def answers_of(name: str) -> dict[str, str]:
    return {**DEFAULTS, **RENDERS[name]}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, template_repo: Path) -> dict[str, Path]:
    """Each combination above, rendered once for the whole module."""
    root = tmp_path_factory.mktemp("deploy")
    projects = {}
    for name in RENDERS:
        copier.run_copy(
            str(template_repo),
            root / name,
            data={"project_name": "Deploy Check", **answers_of(name)},
            defaults=True,
            unsafe=True,
            quiet=True,
        )
        projects[name] = root / name
    return projects


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def non_root_uid(project: Path) -> int:
    """The numeric user of the Dockerfile's last stage."""
    users = re.findall(r"^USER\s+(\d+)", (project / "Dockerfile").read_text(), re.M)
    return int(users[-1])


def minor_version(version: str) -> str:
    """`3.11` of `3.11.15`, of `python:3.11.15-slim-bookworm` and of `>=3.11`."""
    found = re.search(r"(\d+\.\d+)", version)
    assert found, version
    return found.group(1)


def python_version(project: Path) -> str:
    """The one Python version of the project: what `.python-version` names."""
    return (project / ".python-version").read_text().strip()


# --- Kubernetes -------------------------------------------------------------


def manifests(project: Path) -> dict[str, Any]:
    """Each manifest by kind (one resource per file), the kustomization excluded."""
    documents = {}
    for path in sorted((project / MANIFESTS).glob("*.yaml")):
        if path.name != "kustomization.yaml":
            document = load(path)
            documents[document["kind"]] = document
    return documents


def pod_specs(project: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    for kind, document in manifests(project).items():
        if kind in {"Deployment", "Job"}:
            yield kind, document["spec"]["template"]["spec"]


def containers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [*spec.get("initContainers", []), *spec["containers"]]


def api_container(project: Path) -> dict[str, Any]:
    spec = manifests(project)["Deployment"]["spec"]["template"]["spec"]
    (api,) = [c for c in spec["containers"] if c["name"] == "api"]
    return api  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", KUBERNETES)
def test_manifests_validate_strictly_offline(rendered: dict[str, Path], name: str) -> None:
    for path in sorted((rendered[name] / MANIFESTS).glob("*.yaml")):
        if path.name != "kustomization.yaml":
            kubernetes_validate.validate(load(path), KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("name", KUBERNETES)
def test_the_kustomization_applies_every_manifest(rendered: dict[str, Path], name: str) -> None:
    folder = rendered[name] / MANIFESTS
    kustomization = load(folder / "kustomization.yaml")

    files = {path.name for path in folder.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files
    assert [image["name"] for image in kustomization["images"]] == ["deploy-check"]


@pytest.mark.parametrize("name", KUBERNETES)
def test_every_pod_runs_unprivileged_as_the_images_user(
    rendered: dict[str, Path], name: str
) -> None:
    uid = non_root_uid(rendered[name])
    for kind, spec in pod_specs(rendered[name]):
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True, kind
        assert pod["runAsUser"] == uid, kind
        assert pod["runAsGroup"] == uid, kind
        assert pod["fsGroup"] == uid, kind
        assert pod["seccompProfile"] == {"type": "RuntimeDefault"}, kind
        assert spec["automountServiceAccountToken"] is False, kind


@pytest.mark.parametrize("name", KUBERNETES)
def test_every_container_is_hardened_and_bounded(rendered: dict[str, Path], name: str) -> None:
    for kind, spec in pod_specs(rendered[name]):
        for container in containers(spec):
            where = f"{kind}/{container['name']}"
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, where
            assert context["allowPrivilegeEscalation"] is False, where
            assert context["privileged"] is False, where
            assert context["capabilities"] == {"drop": ["ALL"]}, where
            for bound in ("requests", "limits"):
                assert set(container["resources"][bound]) == {"cpu", "memory"}, where


# Measured under gunicorn: the master process, and a worker's own memory once it has served.
MASTER_MIB = 40
WORKER_MIB = 128


def mebibytes(quantity: str) -> int:
    found = re.fullmatch(r"(\d+)(Mi|Gi)", quantity)
    assert found, quantity
    return int(found[1]) * (1024 if found[2] == "Gi" else 1)


def setting_default(project: Path, name: str) -> int:
    """The default of one setting in the project's config.py."""
    config = (project / "src" / "deploy_check" / "config.py").read_text()
    found = re.search(rf"^    {name}: int = Field\(default=([\d_]+)", config, re.M)
    assert found, name
    return int(found[1].replace("_", ""))


@pytest.mark.parametrize("name", KUBERNETES)
def test_the_api_memory_limit_holds_every_worker_hashing_passwords_at_once(
    rendered: dict[str, Path], name: str
) -> None:
    """argon2 is the largest allocation: each worker may run ARGON2_MAX_CONCURRENT hashes of
    ARGON2_MEMORY_KIB at the same time, and the pod must not be killed for it."""
    project = rendered[name]
    workers = int(manifests(project)["ConfigMap"]["data"]["WEB_CONCURRENCY"])
    resources = api_container(project)["resources"]
    hashing = 0.0
    if answers_of(name)["auth"] == "jwt":
        hashes = setting_default(project, "argon2_max_concurrent")
        hashing = hashes * setting_default(project, "argon2_memory_kib") / 1024

    worst = MASTER_MIB + workers * (WORKER_MIB + hashing)

    assert mebibytes(resources["limits"]["memory"]) >= worst
    if hashing:
        assert mebibytes(resources["requests"]["memory"]) >= worst


@pytest.mark.parametrize("name", KUBERNETES)
def test_every_container_writes_only_to_empty_dirs_and_volumes(
    rendered: dict[str, Path], name: str
) -> None:
    """A read-only root needs /tmp (gunicorn's heartbeat files) from an emptyDir."""
    config = manifests(rendered[name])["ConfigMap"]["data"]
    for kind, spec in pod_specs(rendered[name]):
        empty_dirs = {v["name"] for v in spec["volumes"] if "emptyDir" in v}
        for container in containers(spec):
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            assert mounts.get(TMP) in empty_dirs, f"{kind}/{container['name']}"
            if answers_of(name)["metrics"] == "prometheus":
                assert mounts.get(config["PROMETHEUS_MULTIPROC_DIR"]) in empty_dirs


@pytest.mark.parametrize("name", KUBERNETES)
def test_probes_ask_the_health_endpoints(rendered: dict[str, Path], name: str) -> None:
    api = api_container(rendered[name])
    ports = {port["name"]: port["containerPort"] for port in api["ports"]}

    assert ports["http"] == 8000
    assert api["startupProbe"]["httpGet"] == {"path": "/health/live", "port": "http"}
    assert api["livenessProbe"]["httpGet"] == {"path": "/health/live", "port": "http"}
    assert api["readinessProbe"]["httpGet"] == {"path": "/health/ready", "port": "http"}


@pytest.mark.parametrize("name", KUBERNETES)
def test_prometheus_scrapes_a_port_the_service_does_not_route_to(
    rendered: dict[str, Path], name: str
) -> None:
    documents = manifests(rendered[name])
    ports = {port["name"]: port["containerPort"] for port in api_container(rendered[name])["ports"]}
    annotations = documents["Deployment"]["spec"]["template"]["metadata"].get("annotations", {})
    config = documents["ConfigMap"]["data"]

    if answers_of(name)["metrics"] != "prometheus":
        assert set(ports) == {"http"}
        assert "METRICS_PORT" not in config
        return
    assert ports["metrics"] == int(config["METRICS_PORT"]) != ports["http"]
    assert annotations["prometheus.io/port"] == config["METRICS_PORT"]
    assert [port["targetPort"] for port in documents["Service"]["spec"]["ports"]] == ["http"]


@pytest.mark.parametrize("name", KUBERNETES)
def test_the_service_routes_to_the_api_pods(rendered: dict[str, Path], name: str) -> None:
    documents = manifests(rendered[name])
    pod_labels = documents["Deployment"]["spec"]["template"]["metadata"]["labels"]
    service = documents["Service"]["spec"]

    assert service["selector"].items() <= pod_labels.items()
    assert service["ports"][0]["targetPort"] == "http"


@pytest.mark.parametrize("name", KUBERNETES)
def test_secrets_are_only_referenced_never_shipped(rendered: dict[str, Path], name: str) -> None:
    documents = manifests(rendered[name])
    answers = answers_of(name)
    config = documents["ConfigMap"]["data"]
    referenced: set[str] = set()
    for _, spec in pod_specs(rendered[name]):
        for container in containers(spec):
            assert container["envFrom"] == [{"configMapRef": {"name": "deploy-check"}}]
            for variable in container.get("env", []):
                referenced.add(variable["name"])
                assert set(variable) == {"name", "valueFrom"}, "a literal value in env"
                assert variable["valueFrom"]["secretKeyRef"]["name"] == "deploy-check"
        key_volumes = [v for v in spec["volumes"] if "secret" in v]
        assert bool(key_volumes) == (answers["auth"] == "jwt")

    assert "Secret" not in documents
    assert not any("BEGIN" in value or "PASSWORD" in key for key, value in config.items())
    expected = set()
    if answers["database"] == "postgresql":
        expected.add("DATABASE_URL")
        assert "DATABASE_URL" not in config
    if answers["rate_limit"] == "redis":
        expected.add("RATE_LIMIT_STORAGE_URL")
    assert referenced == expected
    readme = (rendered[name] / "README.md").read_text()
    if expected or answers["auth"] == "jwt":
        assert "kubectl create secret generic deploy-check" in readme


@pytest.mark.parametrize("name", KUBERNETES)
def test_the_config_map_holds_the_production_settings(rendered: dict[str, Path], name: str) -> None:
    config = manifests(rendered[name])["ConfigMap"]["data"]
    answers = answers_of(name)

    assert config["ENVIRONMENT"] == "production"
    assert all(isinstance(value, str) for value in config.values())
    if answers["rate_limit"] == "memory":
        # Counts in memory are per process: gunicorn.conf.py refuses more than one worker.
        assert config["WEB_CONCURRENCY"] == "1"
    # Behind the ingress controller every client would otherwise share its address.
    assert trusted_networks(config["FORWARDED_ALLOW_IPS"])
    if answers["auth"] == "jwt":
        assert config["JWT_PRIVATE_KEY_FILE"].startswith("/run/secrets/jwt/")
    if answers["auth"] == "oidc":
        assert {"OIDC_ISSUER", "OIDC_AUDIENCE", "OIDC_JWKS_URL"} <= set(config)
    if answers["tracing"] == "otlp":
        tracing = {"TRACING_ENABLED", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SERVICE_NAME"}
        assert tracing <= set(config)


def test_postgresql_scales_out_and_migrates_once_per_release(rendered: dict[str, Path]) -> None:
    documents = manifests(rendered["k8s-postgresql"])
    deployment = documents["Deployment"]["spec"]
    autoscaler = documents["HorizontalPodAutoscaler"]
    (migrate,) = documents["Job"]["spec"]["template"]["spec"]["containers"]

    assert autoscaler["apiVersion"] == "autoscaling/v2"
    assert autoscaler["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": documents["Deployment"]["metadata"]["name"],
    }
    assert autoscaler["spec"]["minReplicas"] >= 2
    assert "replicas" not in deployment, "the autoscaler owns the replica count"
    assert documents["PodDisruptionBudget"]["spec"]["maxUnavailable"] == 1
    assert migrate["command"] == ["alembic", "upgrade", "heads"]
    assert "initContainers" not in deployment["template"]["spec"]


def test_sqlite_runs_one_pod_that_migrates_its_own_volume(rendered: dict[str, Path]) -> None:
    documents = manifests(rendered["k8s-sqlite"])
    deployment = documents["Deployment"]["spec"]
    (migrate,) = deployment["template"]["spec"]["initContainers"]
    claim = {v["name"]: v for v in deployment["template"]["spec"]["volumes"]}["data"]

    assert deployment["replicas"] == 1
    assert deployment["strategy"] == {"type": "Recreate"}
    assert "HorizontalPodAutoscaler" not in documents
    assert "Job" not in documents
    assert migrate["command"] == ["alembic", "upgrade", "heads"]
    assert (
        claim["persistentVolumeClaim"]["claimName"]
        == documents["PersistentVolumeClaim"]["metadata"]["name"]
    )


# --- Compose ----------------------------------------------------------------


def services(project: Path) -> dict[str, Any]:
    return load(project / "compose.yaml")["services"]  # type: ignore[no-any-return]


def test_deployment_files_exist_only_for_their_target(rendered: dict[str, Path]) -> None:
    for name, project in rendered.items():
        deploy = answers_of(name)["deploy"]
        assert (project / "compose.yaml").exists() == (deploy == "compose"), name
        assert (project / "deploy").exists() == (deploy == "kubernetes"), name
        assert (project / "Dockerfile").exists(), name


def test_compose_files_follow_the_compose_spec(rendered: dict[str, Path]) -> None:
    files = [str(rendered[name] / "compose.yaml") for name in COMPOSE]
    check([tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", *files], Path.cwd())


@pytest.mark.parametrize("name", COMPOSE)
def test_compose_runs_the_services_the_options_need(rendered: dict[str, Path], name: str) -> None:
    answers = answers_of(name)
    expected = {"api", "migrate"}
    if answers["database"] == "postgresql":
        expected.add("postgres")
    if answers["rate_limit"] == "redis":
        expected.add("redis")

    assert set(services(rendered[name])) == expected


@pytest.mark.parametrize("name", COMPOSE)
def test_compose_migrates_before_the_api_starts(rendered: dict[str, Path], name: str) -> None:
    found = services(rendered[name])
    api_waits_for = {
        service: condition["condition"] for service, condition in found["api"]["depends_on"].items()
    }

    assert found["migrate"]["command"] == ["alembic", "upgrade", "heads"]
    assert found["migrate"]["restart"] == "no"
    assert api_waits_for.pop("migrate") == "service_completed_successfully"
    assert api_waits_for == dict.fromkeys(set(found) - {"api", "migrate"}, "service_healthy")
    if "postgres" in found:
        assert found["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}


@pytest.mark.parametrize("name", COMPOSE)
def test_compose_health_checks_probe_each_service(rendered: dict[str, Path], name: str) -> None:
    found = services(rendered[name])
    api_check = " ".join(found["api"]["healthcheck"]["test"])

    # The slim image has no curl: Python's urllib asks the readiness endpoint, on BIND's port.
    assert found["api"]["healthcheck"]["test"][:2] == ["CMD", "python"]
    assert "os.environ['BIND']" in api_check
    assert "/health/ready'" in api_check
    assert ":8000" not in api_check
    if "postgres" in found:
        assert "pg_isready" in found["postgres"]["healthcheck"]["test"]
    if "redis" in found:
        assert found["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]


@pytest.mark.parametrize("name", COMPOSE)
def test_compose_containers_are_hardened(rendered: dict[str, Path], name: str) -> None:
    for service_name, service in services(rendered[name]).items():
        assert service["read_only"] is True, service_name
        assert service["cap_drop"] == ["ALL"], service_name
        assert "no-new-privileges:true" in service["security_opt"], service_name
        assert not service.get("privileged", False), service_name
        assert TMP in service["tmpfs"] or service_name == "redis", service_name


def trusted_networks(value: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """FORWARDED_ALLOW_IPS as the networks it names; a typo or `*` fails here."""
    return [ipaddress.ip_network(network) for network in value.split(",")]


@pytest.mark.parametrize("name", COMPOSE)
def test_compose_names_the_proxies_whose_forwarded_for_counts(
    rendered: dict[str, Path], name: str
) -> None:
    environment = services(rendered[name])["api"]["environment"]

    assert trusted_networks(environment["FORWARDED_ALLOW_IPS"])


@pytest.mark.parametrize("name", COMPOSE)
def test_compose_keeps_data_on_named_volumes_and_settings_out_of_dotenv(
    rendered: dict[str, Path], name: str
) -> None:
    compose = load(rendered[name] / "compose.yaml")
    found = compose["services"]
    answers = answers_of(name)

    for service_name in ("api", "migrate"):
        # .env is the development file; `apigen new` writes a development key into it.
        assert found[service_name]["env_file"] == ".env.production"
        assert found[service_name]["environment"]["ENVIRONMENT"] == "production"
    url = found["api"]["environment"]["DATABASE_URL"]
    if answers["database"] == "postgresql":
        assert url.startswith("postgresql+psycopg://app:${POSTGRES_PASSWORD:?")
        assert found["postgres"]["volumes"] == ["postgres-data:/var/lib/postgresql/data"]
        assert "# POSTGRES_PASSWORD=" in (rendered[name] / ".env.example").read_text()
    else:
        assert url == "sqlite:////app/data/app.db"
        assert found["api"]["volumes"] == found["migrate"]["volumes"] == ["data:/app/data"]
    assert set(compose["volumes"]) == {
        volume.split(":")[0] for s in found.values() for volume in s.get("volumes", [])
    }
    if answers["metrics"] == "prometheus":
        directory = found["api"]["environment"]["PROMETHEUS_MULTIPROC_DIR"]
        assert directory in found["api"]["tmpfs"]


@pytest.mark.parametrize("name", COMPOSE)
def test_compose_mounts_the_signing_key_as_a_secret_file(
    rendered: dict[str, Path], name: str
) -> None:
    compose = load(rendered[name] / "compose.yaml")
    found = compose["services"]

    if answers_of(name)["auth"] != "jwt":
        assert "secrets" not in compose
        return
    assert compose["secrets"] == {"jwt-private-key": {"file": "secrets/jwt-private-key.pem"}}
    for service_name in ("api", "migrate"):
        assert found[service_name]["secrets"] == ["jwt-private-key"]
        environment = found[service_name]["environment"]
        assert environment["JWT_PRIVATE_KEY_FILE"] == "/run/secrets/jwt-private-key"
        assert "JWT_PRIVATE_KEY" not in environment


def ignored(project: Path, ignore_file: str, path: str) -> bool:
    """Whether `.gitignore` or `.dockerignore` leaves the top-level `path` out (last match wins)."""
    matched = False
    for line in (project / ignore_file).read_text().splitlines():
        pattern = line.strip()
        if pattern.startswith("#"):
            continue
        if pattern and fnmatch.fnmatch(path, pattern.removeprefix("!").rstrip("/")):
            matched = not pattern.startswith("!")
    return matched


@pytest.mark.parametrize("name", RENDERS)
@pytest.mark.parametrize("ignore_file", [".gitignore", ".dockerignore"])
def test_development_settings_and_secrets_reach_neither_git_nor_the_image(
    rendered: dict[str, Path], name: str, ignore_file: str
) -> None:
    project = rendered[name]

    for path in (".env", ".env.production", "secrets"):
        assert ignored(project, ignore_file, path), path
    assert not ignored(project, ".gitignore", ".env.example")


@pytest.mark.parametrize("name", RENDERS)
def test_the_image_copies_named_files_only(rendered: dict[str, Path], name: str) -> None:
    """No `COPY . .`: whatever the build context holds, only these reach the image."""
    dockerfile = (rendered[name] / "Dockerfile").read_text()
    copied = re.findall(r"^COPY (?!--from)(.+) \S+$", dockerfile, re.M)

    sources = {source for line in copied for source in line.split()}
    assert sources
    assert sources <= {
        ".python-version",
        "pyproject.toml",
        "uv.lock",
        "README.md",
        "src",
        "gunicorn.conf.py",
        "alembic.ini",
        "migrations",
    }


@pytest.mark.parametrize("name", COMPOSE)
def test_compose_publishes_the_api_and_never_the_metrics_port(
    rendered: dict[str, Path], name: str
) -> None:
    found = services(rendered[name])
    published = [port for service in found.values() for port in service.get("ports", [])]

    assert published == ["127.0.0.1:8000:8000"]
    assert not any("9464" in port for port in published)


# --- The image ---------------------------------------------------------------


@pytest.mark.parametrize("name", list(RENDERS))
def test_the_image_runs_in_production_and_checks_the_port_bind_names(
    rendered: dict[str, Path], name: str
) -> None:
    dockerfile = (rendered[name] / "Dockerfile").read_text()
    runtime = dockerfile.split("AS runtime")[1]
    healthcheck = runtime[runtime.index("HEALTHCHECK") :]

    assert re.search(r"^\s+ENVIRONMENT=production\b", runtime, re.M)
    assert re.search(r"^\s+BIND=0\.0\.0\.0:8000\b", runtime, re.M)
    assert re.findall(r"^EXPOSE (.+)$", runtime, re.M) == ["8000"]
    assert "os.environ['BIND']" in healthcheck
    assert ":8000" not in healthcheck


# --- The development server -----------------------------------------------------

# What keeps each framework's reloader off the libraries in .venv (thousands of files).
SOURCE_ONLY = {"fastapi": "--reload --reload-dir src", "flask": "--exclude-patterns '*/.venv/*'"}


@pytest.mark.parametrize("framework", sorted(SOURCE_ONLY))
def test_the_readmes_development_server_watches_the_projects_own_files(framework: str) -> None:
    names = {"project_name": "Dev Server", "package_name": "dev_server", "description": "A."}
    files = render({**names, **DEFAULTS, "framework": framework})
    # `make dev` runs the development server; the README says what it runs.
    [command] = [
        line.strip()
        for line in files["Makefile"].splitlines()
        if line.strip().startswith(("uv run uvicorn", "uv run flask"))
    ]

    assert SOURCE_ONLY[framework] in command
    assert command.replace("$(PORT)", "8000") in files["README.md"]


# --- One Python version -------------------------------------------------------


@pytest.mark.parametrize("name", list(RENDERS))
def test_one_python_version_for_uv_the_image_and_the_tools(
    rendered: dict[str, Path], name: str
) -> None:
    project = rendered[name]
    version = python_version(project)
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    dockerfile = (project / "Dockerfile").read_text()
    images = re.findall(r"^FROM\s+(\S+)", dockerfile, re.M)

    assert re.fullmatch(r"\d+\.\d+", version), version
    assert pyproject["project"]["requires-python"] == f">={version}"
    # ruff reads requires-python and mypy the interpreter uv runs it with: no second version.
    assert "target-version" not in pyproject["tool"]["ruff"]
    assert "python_version" not in pyproject["tool"]["mypy"]
    assert [minor_version(image) for image in images] == [version] * len(images)
    # The builder sees .python-version and never downloads another Python.
    assert re.search(r"^COPY \.python-version ", dockerfile, re.M)
    assert "UV_PYTHON_DOWNLOADS=never" in dockerfile


# --- CI ---------------------------------------------------------------------


def github_workflow(project: Path) -> dict[str, Any]:
    return load(project / ".github" / "workflows" / "ci.yml")  # type: ignore[no-any-return]


def test_pipeline_files_exist_only_for_their_ci(rendered: dict[str, Path]) -> None:
    for name, project in rendered.items():
        ci = answers_of(name)["ci"]
        assert (project / ".github").exists() == (ci == "github"), name
        assert (project / ".gitlab-ci.yml").exists() == (ci == "gitlab"), name
        if ci == "none":
            readme = (project / "README.md").read_text()
            assert "ships no pipeline" in readme
            assert "hadolint Dockerfile" in readme


def test_pipelines_follow_their_schemas(rendered: dict[str, Path]) -> None:
    workflows = [str(rendered[name] / ".github" / "workflows" / "ci.yml") for name in GITHUB]
    pipelines = [str(rendered[name] / ".gitlab-ci.yml") for name in GITLAB]
    schema = [tool("check-jsonschema"), "--builtin-schema"]

    check([*schema, "vendor.github-workflows", *workflows], Path.cwd())
    check([*schema, "vendor.gitlab-ci", *pipelines], Path.cwd())


GATES = ("ruff check", "ruff format --check", "mypy", "bandit", "alembic check", "pytest --cov")


@pytest.mark.parametrize("name", GITHUB)
def test_the_github_workflow_runs_every_gate(rendered: dict[str, Path], name: str) -> None:
    jobs = github_workflow(rendered[name])["jobs"]
    test_runs = "\n".join(step.get("run", "") for step in jobs["test"]["steps"])
    image_steps = jobs["image"]["steps"]

    for gate in GATES:
        assert gate in test_runs, gate
    assert any(step.get("uses", "").startswith("hadolint/hadolint-action@") for step in image_steps)
    assert any("docker build" in step.get("run", "") for step in image_steps)
    assert jobs["image"]["needs"] == "test"
    for job in jobs.values():
        for step in job["steps"]:
            if "uses" in step:
                assert re.search(r"@(v\d+(\.\d+)*|[0-9a-f]{40})$", step["uses"]), step["uses"]


@pytest.mark.parametrize("name", GITHUB)
def test_the_github_workflow_installs_the_lock_file_with_the_projects_python(
    rendered: dict[str, Path], name: str
) -> None:
    jobs = github_workflow(rendered[name])["jobs"]
    steps = [step for job in jobs.values() for step in job["steps"]]
    runs = "\n".join(step.get("run", "") for step in steps)

    assert re.findall(r"uv sync\b.*", runs) == ["uv sync --locked"]
    assert "uv lock" not in runs, "a lock made in CI would hide a stale uv.lock"
    for step in steps:
        if step.get("uses", "").startswith("astral-sh/setup-uv@"):
            # uv then reads .python-version, as it does on a developer's machine.
            assert "python-version" not in step.get("with", {})


@pytest.mark.parametrize("name", GITHUB)
def test_the_github_workflow_starts_the_services_the_tests_need(
    rendered: dict[str, Path], name: str
) -> None:
    job = github_workflow(rendered[name])["jobs"]["test"]
    answers = answers_of(name)
    found = job.get("services", {})
    env = job.get("env", {})

    assert ("postgres" in found) == (answers["database"] == "postgresql")
    assert ("redis" in found) == (answers["rate_limit"] == "redis")
    for service in found.values():
        assert re.search(r":\d+\.\d+", service["image"]), service["image"]
        assert "--health-cmd" in service["options"]
    if "postgres" in found:
        assert env["DATABASE_URL"].startswith("postgresql+psycopg://postgres:postgres@127.0.0.1")
    if "redis" in found:
        assert env["TEST_REDIS_URL"].startswith("redis://127.0.0.1:6379/")
    assert (env.get("TEST_REQUIRE_SERVICES") == "1") == bool(found)


@pytest.mark.parametrize("name", GITLAB)
def test_the_gitlab_pipeline_runs_every_gate(rendered: dict[str, Path], name: str) -> None:
    pipeline = load(rendered[name] / ".gitlab-ci.yml")
    test_script = "\n".join(pipeline["test"]["script"])
    answers = answers_of(name)
    service_images = [service["name"] for service in pipeline["test"].get("services", [])]
    variables = pipeline["test"]["variables"]

    for gate in GATES:
        assert gate in test_script, gate
    assert pipeline["hadolint"]["script"] == ["hadolint Dockerfile"]
    assert any("docker build" in line for line in pipeline["build-image"]["script"])
    assert any(image.startswith("postgres:") for image in service_images) == (
        answers["database"] == "postgresql"
    )
    assert any(image.startswith("redis:") for image in service_images) == (
        answers["rate_limit"] == "redis"
    )
    assert ("DATABASE_URL" in variables) == (answers["database"] == "postgresql")
    assert ("TEST_REDIS_URL" in variables) == (answers["rate_limit"] == "redis")
    images = [pipeline["test"]["image"], pipeline["hadolint"]["image"]["name"], *service_images]
    images += [pipeline["build-image"]["image"]]
    for image in images:
        assert re.search(r":v?\d+\.\d+", image), image


@pytest.mark.parametrize("name", GITLAB)
def test_the_gitlab_pipeline_installs_the_lock_file_with_the_projects_python(
    rendered: dict[str, Path], name: str
) -> None:
    pipeline = load(rendered[name] / ".gitlab-ci.yml")
    commands = "\n".join(
        line
        for job in pipeline.values()
        if isinstance(job, dict)
        for key in ("before_script", "script")
        for line in job.get(key, [])
    )

    assert re.findall(r"uv sync\b.*", commands) == ["uv sync --locked"]
    assert "uv lock" not in commands, "a lock made in CI would hide a stale uv.lock"
    assert "artifacts" not in pipeline["test"], "the image is built from the committed uv.lock"
    assert minor_version(pipeline["test"]["image"]) == python_version(rendered[name])
