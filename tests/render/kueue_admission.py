"""Create-time admission of Kueue manifests, as a Kubernetes API server with Kueue does it.

For one manifest and one released Kueue CRD set (`../shared/schemas/kueue-crds/<tag>/`):

1. the version's `openAPIV3Schema`, made strict like a structural schema (unknown
   fields are an error, not pruned silently), after applying its `default`s;
2. every `x-kubernetes-validations` CEL rule of the schema, evaluated with cel-python
   on the defaulted object (rules that use `oldSelf` apply to updates only and are
   skipped, as at create time);
3. Kubernetes object-metadata rules: name (DNS-1123 subdomain; LocalQueue and Cohort
   names as well), namespace (DNS-1123 label, required for namespaced kinds, refused
   for cluster-scoped ones), label keys and values, annotation keys;
4. Kueue's ClusterQueue validating webhook (`pkg/webhooks/clusterqueue_webhook.go`):
   cohort and flavor name references, resource names, no resource or flavor twice
   across resource groups, one quota per covered resource in the same order,
   non-negative nominalQuota/borrowingLimit/lendingLimit, lendingLimit <= nominalQuota,
   a valid namespaceSelector.

`admission_errors(doc, crds)` returns the list of reasons the API server would refuse
the object (empty: it would be created).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import celpy  # type: ignore[import-untyped]
import yaml
from jsonschema import Draft7Validator  # type: ignore[import-untyped]

Doc = dict[str, Any]

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
QUANTITY = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[KMGTPE]i?|[munkMGTPE])?$")
SELECTOR_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


class CrdSet:
    """The CRDs of one Kueue release: kind -> (served v1beta2 schema, scope)."""

    def __init__(self, folder: Path) -> None:
        self.tag = folder.name
        self.kinds: dict[str, tuple[Doc, str]] = {}
        for path in sorted(folder.glob("*.yaml")):
            crd = yaml.safe_load(path.read_text(encoding="utf-8"))
            for version in crd["spec"]["versions"]:
                if version["name"] == "v1beta2" and version.get("served"):
                    schema = version["schema"]["openAPIV3Schema"]
                    self.kinds[crd["spec"]["names"]["kind"]] = (schema, crd["spec"]["scope"])


# --- 1. schema with defaults, strict -----------------------------------------------------


def strict(schema: Doc) -> Doc:
    """A JSON Schema that refuses unknown fields wherever the structural schema lists them."""
    schema = copy.deepcopy(schema)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if (
                node.get("type") == "object"
                and "properties" in node
                and "additionalProperties" not in node
                and not node.get("x-kubernetes-preserve-unknown-fields")
            ):
                node["additionalProperties"] = False
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return schema


def with_defaults(value: Any, schema: Doc) -> Any:
    """Apply the schema's `default`s to absent fields, as the API server does on create."""
    if isinstance(value, dict):
        result = dict(value)
        for name, sub in schema.get("properties", {}).items():
            if name not in result and "default" in sub:
                result[name] = copy.deepcopy(sub["default"])
            if name in result:
                result[name] = with_defaults(result[name], sub)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for name in result:
                if name not in schema.get("properties", {}):
                    result[name] = with_defaults(result[name], extra)
        return result
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [with_defaults(item, schema["items"]) for item in value]
    return value


# --- 2. CEL rules ---------------------------------------------------------------------


def _nodes(value: Any, schema: Doc, path: str) -> Iterator[tuple[str, Any, Doc]]:
    """Every (path, value, schema) of the object, depth first."""
    yield path, value, schema
    if isinstance(value, dict):
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                yield from _nodes(value[name], sub, f"{path}.{name}")
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for name, item in value.items():
                if name not in schema.get("properties", {}):
                    yield from _nodes(item, extra, f"{path}[{name}]")
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            yield from _nodes(item, schema["items"], f"{path}[{index}]")


_CEL = celpy.Environment()


def cel_rules(schema: Doc) -> list[str]:
    """Every CEL rule text in a schema (to know that each one was exercised)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            found.extend(rule["rule"] for rule in node.get("x-kubernetes-validations", []))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return found


def cel_errors(doc: Doc, schema: Doc, evaluated: set[str] | None = None) -> list[str]:
    errors = []
    for path, value, node in _nodes(doc, schema, "self"):
        for rule in node.get("x-kubernetes-validations", []):
            text = rule["rule"]
            if "oldSelf" in text:
                continue  # a transition rule: only evaluated on update
            program = _CEL.program(_CEL.compile(text))
            try:
                result = program.evaluate({"self": celpy.json_to_cel(value)})
            except Exception as error:  # an evaluation error rejects the object too
                result = error
            if evaluated is not None:
                evaluated.add(text)
            if result is not True and not (
                isinstance(result, celpy.celtypes.BoolType) and bool(result)
            ):
                errors.append(f"{path}: {rule.get('message', text)} ({result!r})")
    return errors


# --- 3. object metadata ---------------------------------------------------------------


def _qualified_key_errors(key: str, what: str) -> list[str]:
    prefix, _, name = key.rpartition("/")
    errors = []
    if prefix and (len(prefix) > 253 or not DNS1123_SUBDOMAIN.match(prefix)):
        errors.append(f"{what} {key!r}: prefix must be a DNS-1123 subdomain")
    if not name or len(name) > 63 or not QUALIFIED_NAME.match(name):
        errors.append(f"{what} {key!r}: name part must be a qualified name of <= 63")
    return errors


def metadata_errors(doc: Doc, scope: str) -> list[str]:
    metadata = doc.get("metadata") or {}
    errors = []
    name = metadata.get("name", "")
    if not (0 < len(name) <= 253 and DNS1123_SUBDOMAIN.match(name)):
        errors.append(f"metadata.name {name!r} is not a DNS-1123 subdomain")
    if doc.get("kind") in ("LocalQueue", "Cohort", "Topology") and not (
        len(name) <= 63 and DNS1123_LABEL.match(name)
    ):
        errors.append(f"metadata.name {name!r} is not a DNS-1123 label")
    namespace = metadata.get("namespace")
    if scope == "Namespaced":
        if not namespace or len(namespace) > 63 or not DNS1123_LABEL.match(namespace):
            errors.append(f"metadata.namespace {namespace!r} is not a DNS-1123 label")
    elif namespace is not None:
        errors.append("metadata.namespace is set on a cluster-scoped object")
    for key, value in (metadata.get("labels") or {}).items():
        errors += _qualified_key_errors(key, "label")
        if not isinstance(value, str) or len(value) > 63 or not LABEL_VALUE.match(value):
            errors.append(f"label {key!r}: value {value!r} is not a label value")
    annotations = metadata.get("annotations") or {}
    for key, value in annotations.items():
        errors += _qualified_key_errors(key, "annotation")
        if not isinstance(value, str):
            errors.append(f"annotation {key!r}: value must be a string")
    if sum(len(k) + len(str(v)) for k, v in annotations.items()) > 256 * 1024:
        errors.append("annotations exceed 256 KiB")
    return errors


# --- 4. Kueue's ClusterQueue webhook --------------------------------------------------


def _quantity(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and QUANTITY.match(value):
        number = re.match(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", value)
        return float(number.group(0)) if number else None
    return None


def _selector_errors(selector: Any) -> list[str]:
    if not isinstance(selector, dict):
        return []
    errors = []
    for key, value in (selector.get("matchLabels") or {}).items():
        errors += _qualified_key_errors(key, "namespaceSelector key")
        if not LABEL_VALUE.match(str(value)) or len(str(value)) > 63:
            errors.append(f"namespaceSelector value {value!r} is not a label value")
    for expression in selector.get("matchExpressions") or []:
        errors += _qualified_key_errors(expression.get("key", ""), "namespaceSelector key")
        operator, values = expression.get("operator"), expression.get("values") or []
        if operator not in SELECTOR_OPERATORS:
            errors.append(f"namespaceSelector operator {operator!r} is not supported")
        elif operator in ("In", "NotIn") and not values:
            errors.append("namespaceSelector: In/NotIn need values")
        elif operator in ("Exists", "DoesNotExist") and values:
            errors.append("namespaceSelector: Exists/DoesNotExist take no values")
    return errors


def clusterqueue_webhook_errors(doc: Doc) -> list[str]:
    spec = doc.get("spec") or {}
    errors = []
    cohort = spec.get("cohortName")
    if cohort and not (len(cohort) <= 253 and DNS1123_SUBDOMAIN.match(cohort)):
        errors.append(f"spec.cohortName {cohort!r} is not a DNS-1123 subdomain")
    seen_resources: set[str] = set()
    seen_flavors: set[str] = set()
    for group in spec.get("resourceGroups") or []:
        covered = group.get("coveredResources") or []
        for name in covered:
            errors += _qualified_key_errors(name, "resource")
            if name in seen_resources:
                errors.append(f"coveredResources: duplicate {name!r}")
            seen_resources.add(name)
        for flavor in group.get("flavors") or []:
            name = flavor.get("name", "")
            if not (len(name) <= 253 and DNS1123_SUBDOMAIN.match(name)):
                errors.append(f"flavor name {name!r} is not a DNS-1123 subdomain")
            if name in seen_flavors:
                errors.append(f"flavors: duplicate {name!r}")
            seen_flavors.add(name)
            resources = flavor.get("resources") or []
            if len(resources) != len(covered):
                errors.append(f"flavor {name}: not one quota per covered resource")
            for resource, expected in zip(resources, covered, strict=False):
                if resource.get("name") != expected:
                    errors.append(f"flavor {name}: {resource.get('name')!r} != {expected!r}")
                nominal = _quantity(resource.get("nominalQuota"))
                if nominal is None or nominal < 0:
                    errors.append(f"flavor {name}: nominalQuota must be >= 0")
                for limit in ("borrowingLimit", "lendingLimit"):
                    if limit in resource:
                        amount = _quantity(resource[limit])
                        if amount is None or amount < 0:
                            errors.append(f"flavor {name}: {limit} must be >= 0")
                        elif limit == "lendingLimit" and nominal is not None and amount > nominal:
                            errors.append(f"flavor {name}: lendingLimit above nominalQuota")
    errors += _selector_errors(spec.get("namespaceSelector"))
    if "kueue-preemption" in (spec.get("admissionChecks") or []):
        errors.append("admissionChecks: the name kueue-preemption is reserved")
    return errors


# --- all together -----------------------------------------------------------------------


def admission_errors(doc: Doc, crds: CrdSet, evaluated: set[str] | None = None) -> list[str]:
    """Why the API server (with Kueue's webhooks) would refuse to create `doc`; [] if not."""
    if doc.get("apiVersion") != "kueue.x-k8s.io/v1beta2":
        return [f"apiVersion {doc.get('apiVersion')!r} is not kueue.x-k8s.io/v1beta2"]
    if doc.get("kind") not in crds.kinds:
        return [f"Kueue {crds.tag} serves no kind {doc.get('kind')!r}"]
    schema, scope = crds.kinds[doc["kind"]]
    defaulted = with_defaults(doc, schema)
    errors = [
        f"schema: {'.'.join(map(str, error.absolute_path))}: {error.message}"
        for error in Draft7Validator(strict(schema)).iter_errors(defaulted)
    ]
    errors += cel_errors(defaulted, schema, evaluated)
    errors += metadata_errors(doc, scope)
    if doc["kind"] == "ClusterQueue":
        errors += clusterqueue_webhook_errors(defaulted)
    return errors
