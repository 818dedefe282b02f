"""Generated Kueue manifests against the upstream CRD schemas, and their CEL rules by hand.

The schemas are the byte-exact catalog copies in `shared/schemas/` (beside the repo);
they have no `$schema`, so the validator class is named (Draft 7). JSON Schema does
not evaluate `x-kubernetes-validations` (CEL), so each rule that can apply to what we
generate is re-implemented below, and tested to catch a violating object.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator  # type: ignore[import-untyped]

from capplan.render import BUILTIN_TARGETS, render_files

from .render_fixtures import narvik, small_context

Doc = dict[str, Any]

_REPO = Path(__file__).resolve().parents[2]
SCHEMAS = Path(os.environ.get("CAPPLAN_SHARED", _REPO.parent / "shared")) / "schemas"
KUEUE = SCHEMAS / "kueue.x-k8s.io"
SCHEMA_FILES = {
    "ResourceFlavor": "resourceflavor_v1beta2.json",
    "ClusterQueue": "clusterqueue_v1beta2.json",
    "Topology": "topology_v1beta2.json",
}
DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")

# Outside CI a checkout without ../shared skips these tests; in CI (CI=true) the schemas
# must be there, so a missing folder fails instead of silently skipping the acceptance test.
if os.environ.get("CI") and not KUEUE.is_dir():
    raise RuntimeError(f"CI run without the Kueue schemas: {KUEUE} is missing")
pytestmark = pytest.mark.skipif(not KUEUE.is_dir(), reason=f"no Kueue schemas in {KUEUE}")


def kueue_docs(context: Any = None) -> dict[str, Doc]:
    tree = render_files(context or small_context(), BUILTIN_TARGETS)
    assert tree.problems == ()
    return {
        path: yaml.safe_load(data)
        for path, data in tree.files.items()
        if path.startswith("kueue/") and not path.endswith("kustomization.yaml")
    }


def validator(kind: str) -> Draft7Validator:
    schema = json.loads((KUEUE / SCHEMA_FILES[kind]).read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


# --- CEL rules (x-kubernetes-validations) re-implemented --------------------------------


def cel_resourceflavor(doc: Doc) -> list[str]:
    spec = doc.get("spec", {})
    errors = []
    # !has(self.topologyName) || self.nodeLabels.size() >= 1
    if "topologyName" in spec and len(spec.get("nodeLabels") or {}) < 1:
        errors.append("at least one nodeLabel is required when topology is set")
    # nodeTaints: self.all(x, x.effect in [...])
    if any(taint.get("effect") not in TAINT_EFFECTS for taint in spec.get("nodeTaints", [])):
        errors.append("supported taint effect values")
    for toleration in spec.get("tolerations", []):
        if "key" not in toleration and toleration.get("operator") != "Exists":
            errors.append("operator must be Exists when 'key' is empty")
        if "tolerationSeconds" in toleration and toleration.get("effect") != "NoExecute":
            errors.append("effect must be 'NoExecute' when 'tolerationSeconds' is set")
        if toleration.get("operator", "Equal") not in ("Equal", "Exists"):
            errors.append("supported toleration values")
        if toleration.get("operator") == "Exists" and "value" in toleration:
            errors.append("a value must be empty when 'operator' is 'Exists'")
        if "effect" in toleration and toleration["effect"] not in TAINT_EFFECTS:
            errors.append("supported taint effect values")
    # "!has(oldSelf.topologyName) || self == oldSelf" is an update rule: checked by
    # test_resourceflavor_spec_is_stable below (a later render must not change it).
    return errors


def cel_topology(doc: Doc) -> list[str]:
    levels = doc["spec"]["levels"]
    errors = []
    # size(self.filter(i, size(self.filter(j, j == i)) > 1)) == 0
    if any(levels.count(level) > 1 for level in levels):
        errors.append("must be unique")
    # hostname only at the lowest level
    labels = [level["nodeLabel"] for level in levels]
    if "kubernetes.io/hostname" in labels and labels[-1] != "kubernetes.io/hostname":
        errors.append("the kubernetes.io/hostname label can only be used at the lowest level")
    # "self == oldSelf" (immutable): the levels are constant in the template.
    return errors


def cel_clusterqueue(doc: Doc) -> list[str]:
    spec = doc.get("spec", {})
    errors = []
    groups = spec.get("resourceGroups", [])
    for group in groups:
        covered = group["coveredResources"]
        if any(len(flavor["resources"]) != len(covered) for flavor in group["flavors"]):
            errors.append("flavors must have the same number of resources as coveredResources")
    if "cohortName" not in spec and any(
        "borrowingLimit" in resource
        for group in groups
        for flavor in group["flavors"]
        for resource in flavor["resources"]
    ):
        errors.append("borrowingLimit must be nil when cohort is empty")
    preemption = spec.get("preemption", {})
    if preemption.get("reclaimWithinCohort", "Never") == "Never" and preemption.get(
        "borrowWithinCohort", {}
    ).get("policy", "Never") not in ("Never",):
        errors.append("reclaimWithinCohort=Never and borrowWithinCohort.Policy!=Never")
    fungibility = spec.get("flavorFungibility", {})
    if "preference" in fungibility and not (
        fungibility.get("whenCanBorrow", "MayStopSearch") == "TryNextFlavor"
        and fungibility.get("whenCanPreempt", "TryNextFlavor") == "TryNextFlavor"
    ):
        errors.append("preference needs both whenCanBorrow and whenCanPreempt TryNextFlavor")
    return errors


CEL: dict[str, Callable[[Doc], list[str]]] = {
    "ResourceFlavor": cel_resourceflavor,
    "ClusterQueue": cel_clusterqueue,
    "Topology": cel_topology,
}


# --- tests ------------------------------------------------------------------------------


def test_every_manifest_is_valid_against_its_schema() -> None:
    docs = kueue_docs()
    assert {doc["kind"] for doc in docs.values()} == set(SCHEMA_FILES)
    for path, doc in docs.items():
        assert doc["apiVersion"] == "kueue.x-k8s.io/v1beta2", path
        errors = [error.message for error in validator(doc["kind"]).iter_errors(doc)]
        assert errors == [], path


def test_every_manifest_passes_the_cel_rules() -> None:
    for path, doc in kueue_docs().items():
        assert CEL[doc["kind"]](doc) == [], path


def test_a_site_with_nothing_live_is_still_valid() -> None:
    empty = small_context(sites=(narvik(racks=()),))
    docs = kueue_docs(empty)
    assert sorted(docs) == ["kueue/narvik/clusterqueue.yaml", "kueue/narvik/topology.yaml"]
    for path, doc in docs.items():
        assert list(validator(doc["kind"]).iter_errors(doc)) == [], path
        assert CEL[doc["kind"]](doc) == [], path
    assert docs["kueue/narvik/clusterqueue.yaml"]["spec"]["resourceGroups"] == []


def test_metadata_is_valid_kubernetes_metadata() -> None:
    """The schemas leave metadata unchecked: names must be DNS-1123, labels valid."""
    for path, doc in kueue_docs().items():
        metadata = doc["metadata"]
        assert DNS1123_LABEL.match(metadata["name"]), path
        for key, value in metadata["labels"].items():
            name = key.rpartition("/")[2]
            assert LABEL_NAME.match(name) and len(name) <= 63, key
            assert value == "" or (LABEL_NAME.match(value) and len(value) <= 63), value
        assert metadata["labels"]["app.kubernetes.io/managed-by"] == "capplan"


def test_quota_topology_and_flavors_fit_together() -> None:
    docs = kueue_docs()
    context = small_context()
    for site in context.sites:
        folder = f"kueue/{site.k8s_name}"
        queue = docs[f"{folder}/clusterqueue.yaml"]
        flavors = {
            doc["metadata"]["name"]: doc
            for path, doc in docs.items()
            if path.startswith(folder) and doc["kind"] == "ResourceFlavor"
        }
        quota = {
            flavor["name"]: flavor["resources"][0]["nominalQuota"]
            for group in queue["spec"]["resourceGroups"]
            for flavor in group["flavors"]
        }
        assert set(quota) == set(flavors)
        assert sum(quota.values()) == site.gpus_live
        assert list(quota) == sorted(quota)
        topology = docs[f"{folder}/topology.yaml"]
        assert [level["nodeLabel"] for level in topology["spec"]["levels"]] == [
            "capplan.io/site",
            "capplan.io/hall",
            "capplan.io/rack",
            "kubernetes.io/hostname",
        ]
        for flavor in flavors.values():
            assert flavor["spec"]["topologyName"] == topology["metadata"]["name"]
            assert flavor["spec"]["nodeLabels"]["capplan.io/site"] == site.k8s_name


def test_resourceflavor_spec_is_stable() -> None:
    """A TAS flavor's spec is immutable (CEL `self == oldSelf`): the spec must not
    depend on anything but the product and the site, e.g. not on the GPU count."""
    before = kueue_docs()
    grown = small_context(
        plan=small_context().plan.model_copy(update={"at": small_context().plan.end})
    )
    after = kueue_docs(grown)
    for path, doc in before.items():
        if doc["kind"] == "ResourceFlavor":
            assert after[path]["spec"] == doc["spec"], path


@pytest.mark.parametrize(
    ("kind", "doc"),
    [
        ("ResourceFlavor", {"spec": {"topologyName": "narvik"}}),
        ("ResourceFlavor", {"spec": {"topologyName": "narvik", "nodeLabels": {}}}),
        ("ResourceFlavor", {"spec": {"nodeTaints": [{"key": "k", "effect": "Sometimes"}]}}),
        ("ResourceFlavor", {"spec": {"tolerations": [{"operator": "Equal"}]}}),
        (
            "Topology",
            {"spec": {"levels": [{"nodeLabel": "kubernetes.io/hostname"}, {"nodeLabel": "r"}]}},
        ),
        ("Topology", {"spec": {"levels": [{"nodeLabel": "r"}, {"nodeLabel": "r"}]}}),
        (
            "ClusterQueue",
            {
                "spec": {
                    "resourceGroups": [
                        {
                            "coveredResources": ["nvidia.com/gpu", "cpu"],
                            "flavors": [
                                {"name": "f", "resources": [{"name": "x", "nominalQuota": 1}]}
                            ],
                        }
                    ]
                }
            },
        ),
        (
            "ClusterQueue",
            {
                "spec": {
                    "resourceGroups": [
                        {
                            "coveredResources": ["nvidia.com/gpu"],
                            "flavors": [
                                {
                                    "name": "f",
                                    "resources": [
                                        {"name": "x", "nominalQuota": 1, "borrowingLimit": 1}
                                    ],
                                }
                            ],
                        }
                    ]
                }
            },
        ),
    ],
)
def test_cel_checks_catch_violations(kind: str, doc: Doc) -> None:
    assert CEL[kind](doc) != []
