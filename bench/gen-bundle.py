#!/usr/bin/env python3
"""gen-bundle.py: write a deterministic multi-document Kubernetes bundle.

Shaped like an operator's release bundle (CustomResourceDefinitions with
deep openAPIV3Schema trees and long descriptions, then the operator's
Deployment), so that bench/ymlset.sh measures a large real-looking file
without one being committed. Same arguments, same bytes.

    gen-bundle.py OUT [SIZE_BYTES] [DOCUMENTS]     defaults 4000000 (about 4.5 MB written), 15
"""
import random
import sys

WORDS = ("the of to and a in is it that for on with as resource field "
         "value spec status object list name namespace label selector "
         "container image port volume secret config replica template "
         "condition reason message type version").split()


def sentence(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def props(rng, out, indent, depth, budget):
    """A properties: tree of schema nodes, about budget bytes."""
    pad = " " * indent
    start = len(out)
    i = 0
    while sum(len(s) for s in out[start:]) < budget:
        name = "%s%s%d" % (rng.choice(WORDS), rng.choice(WORDS).title(), i)
        i += 1
        out.append("%s%s:\n" % (pad, name))
        out.append("%s  description: %s\n" % (pad, sentence(rng, rng.randint(6, 30))))
        if depth > 0 and rng.random() < 0.3:
            out.append("%s  properties:\n" % pad)
            props(rng, out, indent + 4, depth - 1, budget // 6)
            out.append("%s  type: object\n" % pad)
        elif rng.random() < 0.2:
            out.append("%s  items:\n%s    type: string\n%s  type: array\n"
                       % (pad, pad, pad))
        else:
            out.append("%s  type: %s\n" % (pad, rng.choice(
                ["string", "integer", "boolean"])))
            if rng.random() < 0.1:
                out.append("%s  format: int32\n" % pad)


def crd(rng, k, budget):
    kind = "Thing%02d" % k
    out = ["---\n# Source: bundle/crds/%s.yaml\n" % kind.lower(),
           "apiVersion: apiextensions.k8s.io/v1\n",
           "kind: CustomResourceDefinition\n",
           "metadata:\n  annotations:\n    controller-gen.kubebuilder.io/version: v0.16.1\n",
           "  name: %ss.example.com\n" % kind.lower(),
           "spec:\n  group: example.com\n  names:\n",
           "    kind: %s\n    plural: %ss\n  scope: Namespaced\n" % (kind, kind.lower()),
           "  versions:\n  - name: v1\n    schema:\n      openAPIV3Schema:\n",
           "        properties:\n"]
    props(rng, out, 10, 4, budget)
    out.append("        type: object\n    served: true\n    storage: true\n")
    return "".join(out)


DEPLOYMENT = """---
# Source: bundle/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app.kubernetes.io/name: example-operator
  name: example-operator
  namespace: default
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: example-operator
  template:
    metadata:
      labels:
        app.kubernetes.io/name: example-operator
    spec:
      containers:
      - args:
        - --kubelet-service=kube-system/kubelet
        image: quay.io/example/operator:v0.76.0
        name: example-operator
        ports:
        - containerPort: 8080
          name: http
        resources:
          limits:
            cpu: 200m
            memory: 200Mi
      serviceAccountName: example-operator
"""


def main():
    out = sys.argv[1]
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 4000000
    docs = int(sys.argv[3]) if len(sys.argv) > 3 else 15
    rng = random.Random(20261206)
    with open(out, "w") as f:
        for k in range(docs - 1):
            f.write(crd(rng, k, size // (docs - 1)))
        f.write(DEPLOYMENT)


main()
