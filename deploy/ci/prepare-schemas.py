"""Schemas for kubeconform, from PyPI packages (CI cannot reach GitHub, kubeconform's default).

Kubernetes: kubernetes-validate ships yannh/kubernetes-json-schema's "local-strict" schemas,
whose $ref paths ("/api/_definitions.json#...") resolve against a kubernetes.io $id that
kubeconform would try to fetch. The copy written here drops the $id and makes the refs relative
("_definitions.json#..."), so they resolve beside the file, offline.

KServe: KServe publishes its CRDs on GitHub only, which CI cannot reach. Its Python SDK on PyPI carries
the same API as OpenAPI-generated model classes (`kserve/models/*.py`: `openapi_types` gives
each field's type, `attribute_map` its JSON name, a setter that refuses None marks it required).
This reads those files as text (no import, so none of the SDK's dependencies are needed) and
writes one self-contained schema per kind, in the `{{ .Group }}/{{ .ResourceKind }}_
{{ .ResourceAPIVersion }}.json` layout (as the CRDs-catalog uses). Kubernetes types (V1Container, V1ObjectMeta, ...) are
copied from the strict Kubernetes definitions that kubernetes-validate ships, so a typo in a
container or metadata field fails exactly as it does in a Deployment.
Used by scripts/ensure-deploy-tools.sh.
"""

import argparse
import ast
import json
import re
from pathlib import Path

KINDS = {
    # (group, version, kind): SDK class
    ("serving.kserve.io", "v1alpha1", "ServingRuntime"): "V1alpha1ServingRuntime",
    ("serving.kserve.io", "v1alpha1", "ClusterServingRuntime"): "V1alpha1ClusterServingRuntime",
    ("serving.kserve.io", "v1beta1", "InferenceService"): "V1beta1InferenceService",
}
PRIMITIVES = {
    "str": {"type": "string"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
    "datetime": {"type": "string"},
    "date": {"type": "string"},
    "object": {},
}
# Types the SDK names after Go packages rather than Kubernetes versions.
ALIASES = {
    "ResourceQuantity": "io.k8s.apimachinery.pkg.api.resource.Quantity",
    "K8sIoApiAppsV1DeploymentStrategy": "io.k8s.api.apps.v1.DeploymentStrategy",
    "K8sIoApiAutoscalingV2HorizontalPodAutoscalerBehavior": "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerBehavior",
}
# Where a Kubernetes class name (V1Container) is looked up, in order.
K8S_PREFERENCE = ["io.k8s.api.core.", "io.k8s.apimachinery.pkg.apis.meta.", "io.k8s.api."]


def read_models(models_dir: Path) -> dict:
    """class name -> {"types": {json name: type}, "required": [json names]}"""
    models = {}
    for path in sorted(models_dir.glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if not isinstance(node, ast.ClassDef):
                continue
            types = attrs = None
            for item in node.body:
                if isinstance(item, ast.Assign) and len(item.targets) == 1:
                    name = getattr(item.targets[0], "id", None)
                    if name == "openapi_types":
                        types = ast.literal_eval(item.value)
                    elif name == "attribute_map":
                        attrs = ast.literal_eval(item.value)
            if types is None or attrs is None:
                continue
            source = ast.get_source_segment(path.read_text(), node) or ""
            required = [
                attrs[field]
                for field in re.findall(r"Invalid value for `(\w+)`, must not be `None`", source)
                if field in attrs
            ]
            models[node.name] = {
                "types": {attrs[field]: kind for field, kind in types.items()},
                "required": sorted(set(required)),
            }
    return models


def k8s_index(definitions: dict) -> dict:
    """Python client class name (V1Container) -> Kubernetes definition name."""
    index = {}
    for prefix in reversed(K8S_PREFERENCE):
        for name in definitions:
            if not name.startswith(prefix):
                continue
            parts = name.split(".")
            version, kind = parts[-2], parts[-1]
            index[version[0].upper() + version[1:] + kind] = name
    return index


class Builder:
    def __init__(self, models: dict, definitions: dict):
        self.models = models
        self.k8s = definitions
        self.k8s_names = k8s_index(definitions)
        self.out: dict = {}

    def schema_of(self, kind: str) -> dict:
        list_match = re.fullmatch(r"list\[(.+)\]", kind)
        if list_match:
            return {"type": "array", "items": self.schema_of(list_match.group(1))}
        dict_match = re.fullmatch(r"dict\((\w+), (.+)\)", kind)
        if dict_match:
            return {"type": "object", "additionalProperties": self.schema_of(dict_match.group(2))}
        if kind in PRIMITIVES:
            return dict(PRIMITIVES[kind])
        if kind in self.models:
            self.add_model(kind)
            return {"$ref": f"#/$defs/{kind}"}
        k8s_name = ALIASES.get(kind) or self.k8s_names.get(kind)
        if k8s_name in self.k8s:
            self.add_k8s(k8s_name)
            return {"$ref": f"#/$defs/{k8s_name}"}
        # Status-only Knative/KEDA types and the like: accepted as anything.
        return {}

    def add_model(self, name: str) -> None:
        if name in self.out:
            return
        self.out[name] = {}  # placeholder against recursion
        model = self.models[name]
        schema = {
            "type": "object",
            "properties": {key: self.schema_of(kind) for key, kind in model["types"].items()},
            "additionalProperties": False,
        }
        if model["required"]:
            schema["required"] = model["required"]
        self.out[name] = schema

    def add_k8s(self, name: str) -> None:
        if name in self.out:
            return
        definition = self.k8s[name]
        self.out[name] = definition
        for ref in re.findall(r'"\$ref": "#/\$defs/([^"]+)"', json.dumps(definition)):
            self.add_k8s(ref)


def prepare_kubernetes(source: Path, target: Path) -> None:
    """Copies one local-strict version folder with refs kubeconform resolves offline."""
    target.mkdir(parents=True, exist_ok=True)
    for path in source.glob("*.json"):
        schema = json.loads(path.read_text())
        schema.pop("$id", None)
        text = json.dumps(schema).replace('"/api/_definitions.json#', '"_definitions.json#')
        (target / path.name).write_text(text)


def prepare_kserve(models_dir: Path, definitions_file: Path, target: Path) -> None:
    models = read_models(models_dir)
    definitions = json.loads(definitions_file.read_text())["$defs"]
    for (group, version, kind), cls in KINDS.items():
        if cls not in models:
            raise SystemExit(f"prepare-schemas: {cls} not found in {models_dir}")
        builder = Builder(models, definitions)
        root = builder.schema_of(cls)
        assert root["$ref"].endswith(cls)
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **builder.out[cls]}
        props = dict(schema["properties"])
        props["apiVersion"] = {"type": "string", "enum": [f"{group}/{version}"]}
        props["kind"] = {"type": "string", "enum": [kind]}
        schema["properties"] = props
        schema["required"] = sorted(set(schema.get("required", [])) | {"apiVersion", "kind"})
        schema["$defs"] = {k: v for k, v in builder.out.items() if k != cls}
        out = target / group / f"{kind.lower()}_{version}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(schema, indent=1, sort_keys=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k8s-schemas", type=Path, required=True,
                        help="kubernetes-validate's kubernetes-json-schema folder")
    parser.add_argument("--k8s-versions", nargs="+", required=True, help="e.g. 1.30.0 1.37.0")
    parser.add_argument("--kserve-models", type=Path, required=True,
                        help="the kserve SDK's kserve/models folder")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    for version in args.k8s_versions:
        folder = f"v{version}-local-strict"
        if not (args.k8s_schemas / folder).is_dir():
            raise SystemExit(f"prepare-schemas: {args.k8s_schemas / folder} not found")
        prepare_kubernetes(args.k8s_schemas / folder, args.out / "kubernetes" / folder)
    newest = f"v{args.k8s_versions[-1]}-local-strict"
    prepare_kserve(args.kserve_models, args.k8s_schemas / newest / "_definitions.json",
                   args.out / "crds")


if __name__ == "__main__":
    main()
