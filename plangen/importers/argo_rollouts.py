"""Argo Rollouts manifests -> a plangen/v1.1 plan per Rollout.

Pure: parsed manifests in, plan dicts out, with what could not be mapped and
what only a person can fill in. Nothing is guessed: a field a plan has no
place for is listed as not mapped (never dropped silently), and every
placeholder is listed as a TODO. What Argo does by default (failureLimit 0,
scaleDownDelaySeconds 30, automatic promotion) is written out, because a
plan reader cannot look defaults up.
"""

from __future__ import annotations

import json
import math
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from plangen.analysis.context import analysis_time
from plangen.errors import PlangenError, plural, quote
from plangen.importers import MAX_ITEMS, MAX_LONG_TEXT, Ids, clean, go_duration, plan_duration, slug
from plangen.model.plan import Analysis

TEMPLATE_KINDS = ("AnalysisTemplate", "ClusterAnalysisTemplate")
KINDS = ("Rollout", *TEMPLATE_KINDS)
DOCS = "https://argo-rollouts.readthedocs.io/"
SCALE_DOWN_DELAY = 30  # seconds; Argo's default for blue-green and traffic-routed canaries

# Provider keys as Argo spells them -> the provider named in the plan.
PROVIDERS = {"prometheus": "prometheus", "datadog": "datadog", "newRelic": "newrelic", "wavefront": "wavefront",
             "web": "web", "job": "job", "kayenta": "kayenta", "cloudWatch": "cloudwatch", "graphite": "graphite",
             "influxdb": "influxdb", "skywalking": "skywalking", "plugin": "plugin"}
_QUERY_PROVIDERS = ("prometheus", "newRelic", "wavefront", "graphite", "influxdb", "skywalking")

# Fields a plan has no place for, with why; anything else not read is listed too.
_WHY = {
    "trafficRouting": "how traffic is split (mesh, ingress) is the controller's business, not the plan's",
    "maxSurge": "pod scheduling during the update has no plan field",
    "maxUnavailable": "pod scheduling during the update has no plan field",
    "antiAffinity": "pod placement has no plan field",
    "dynamicStableScale": "scaling the stable ReplicaSet down as the canary grows has no plan field",
    "canaryService": "Service names are not part of a plan",
    "stableService": "Service names are not part of a plan",
    "pingPong": "Service names are not part of a plan",
    "canaryMetadata": "pod labels and annotations are not part of a plan",
    "stableMetadata": "pod labels and annotations are not part of a plan",
    "previewMetadata": "pod labels and annotations are not part of a plan",
    "activeMetadata": "pod labels and annotations are not part of a plan",
    "abortScaleDownDelaySeconds": "how long an aborted version keeps its pods has no plan field",
    "scaleDownDelaySeconds": "with a canary, the old ReplicaSet's scale-down delay has no plan field",
    "scaleDownDelayRevisionLimit": "how many old ReplicaSets stay up has no plan field",
    "minPodsPerReplicaSet": "pod counts have no plan field",
    "replicaProgressThreshold": "pod counts have no plan field",
    "setCanaryScale": "canary pod counts have no plan field",
    "setHeaderRoute": "header-based routes have no plan field (the phase's scope could say who they send)",
    "setMirrorRoute": "mirrored traffic has no plan field",
    "plugin": "step plugins run code the plan cannot describe",
    "progressDeadlineSeconds": "how long a step may take before the rollout is Degraded has no plan field",
    "progressDeadlineAbort": "aborting on a missed progress deadline has no plan field",
    "rollbackWindow": "fast rollback to recent revisions has no plan field",
    "paused": "the Rollout is paused: it waits for `kubectl argo rollouts promote`",
    "measurementRetention": "how many measurements are kept has no plan field",
    "analysisRunMetadata": "labels of the analysis runs are not part of a plan",
    "inconclusiveLimit": "inconclusive results pause the rollout for a person; their limit has no plan field",
    "consecutiveErrorLimit": "the limit of errors in a row (Argo default 4) has no plan field",
    "consecutiveSuccessLimit": "the successes needed in a row have no plan field",
    "status": "the live state in the cluster, not part of a plan",
}
_WORKLOAD = ("selector", "minReadySeconds", "revisionHistoryLimit", "restartAt", "analysis")


@dataclass(frozen=True)
class Manifest:
    """One object from a manifest file: where it starts and what it holds."""

    source: str
    line: int
    data: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.data.get("kind") or "")

    @property
    def name(self) -> str:
        meta = self.data.get("metadata")
        return str(meta.get("name") or "") if isinstance(meta, dict) else ""

    @property
    def label(self) -> str:
        return f"{self.kind or '(no kind)'}/{self.name or '(no name)'}"

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}"


@dataclass(frozen=True)
class Placeholders:
    """What the manifests cannot say: who owns the plan, its risk, when it starts.
    `given` names those the user chose (they are not TODOs)."""

    owner: str
    start: date
    risk: str = "medium"
    automation: str = "argo-rollouts"
    given: frozenset[str] = frozenset()


@dataclass
class ImportedPlan:
    rollout: Manifest
    plan_id: str
    plan: dict[str, Any]
    todos: list[str]
    unmapped: list[str]
    sources: list[str]  # the files it was made from
    templates: list[str] = field(default_factory=list)  # where the templates it used start


@dataclass
class Bundle:
    plans: list[ImportedPlan]
    ignored: list[str]  # objects of the files that no plan took in


def import_bundle(manifests: Sequence[Manifest], placeholders: Placeholders, files: Sequence[str] = ()) -> Bundle:
    """One plan per Rollout; templates are shared by the Rollouts that name them.
    `files` are the names the manifests came from, for messages."""
    rollouts, templates, ignored = [], [], []
    for m in _unpack(manifests):
        api = str(m.data.get("apiVersion") or "")
        if m.kind in KINDS and api.startswith("argoproj.io/"):
            (rollouts if m.kind == "Rollout" else templates).append(m)
        elif m.kind in KINDS:
            ignored.append(f"{m.where}: {m.label}: ignored: apiVersion {quote(api)} is not Argo Rollouts' "
                           "(argoproj.io/v1alpha1)")
        elif m.kind:
            ignored.append(f"{m.where}: {m.label}: ignored: only Rollout, AnalysisTemplate and "
                           "ClusterAnalysisTemplate are imported")
        else:
            ignored.append(f"{m.where}: ignored: no 'kind', so not a Kubernetes object")
    if not rollouts:
        names = ", ".join(dict.fromkeys([*files, *(m.source for m in manifests)])) or "the files"
        raise PlangenError(f"no Rollout (kind: Rollout, apiVersion: argoproj.io/v1alpha1) in {names}",
                           "name the file that holds the Rollout; AnalysisTemplates come along beside it")
    for m in rollouts:
        if not m.name:
            raise PlangenError(f"{m.where}: a Rollout has no metadata.name",
                               "give it a name: the plan's id and file name are made from it")
    plans = [_Rollout(m, templates, placeholders).plan() for m in rollouts]
    seen: dict[str, ImportedPlan] = {}
    for p in plans:
        if p.plan_id in seen:
            raise PlangenError(f"{p.rollout.where} and {seen[p.plan_id].rollout.where}: two Rollouts would both "
                               f"become plan '{p.plan_id}'", "import them one at a time, each with its own --out")
        seen[p.plan_id] = p
    used = {where for p in plans for where in p.templates}
    for m in templates:
        if m.where not in used:
            ignored.append(f"{m.where}: {m.label}: ignored: no imported Rollout uses it")
    return Bundle(plans, ignored)


def _unpack(manifests: Sequence[Manifest]) -> list[Manifest]:
    """`kind: List` (as `kubectl get -o yaml` writes) holds its objects in `items`."""
    out = []
    for m in manifests:
        items = m.data.get("items")
        if m.kind == "List" and isinstance(items, list):
            out += [Manifest(m.source, m.line, item) for item in items if isinstance(item, dict)]
        else:
            out.append(m)
    return out


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 2)


def _int(value: Any) -> int | None:
    """An integer field: a YAML integer, or digits in a string (Argo's IntOrString)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value) < 12:
        return int(value)
    return None


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(map(str, list(value)[:5])) + (", ..." if len(value) > 5 else "") + "}"
    if isinstance(value, list):
        return f"[{plural(len(value), 'item')}]"
    if isinstance(value, (bool, int, float)) or value is None:
        return json.dumps(value)  # as YAML shows it: true, 20, null
    return quote(value)


@dataclass
class _Phase:
    id: str
    name: str
    kind: str
    traffic: int | float | None
    first: int  # index of the Argo step that starts the phase (-1: none)
    last: int
    scope: str | None = None
    seconds: int | None = None
    exit: list[str] = field(default_factory=list)
    analysis: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    gate: bool = False  # a person promotes the rollout at the end of this phase
    on_failure: str | None = "rollback"
    after_steps: bool = False  # the full release Argo makes once the steps are done


@dataclass
class _Trigger:
    metric: str
    signal: str | None
    limit: int | None
    phases: list[str] = field(default_factory=list)


class _Rollout:
    def __init__(self, m: Manifest, templates: list[Manifest], ph: Placeholders) -> None:
        self.m, self.templates, self.ph = m, templates, ph
        self.auto = ph.automation
        self.ids = Ids()
        self.notes: dict[str, None] = {}  # ordered, without repeats
        self.todos: dict[str, None] = {}
        self.sources: dict[str, None] = {m.source: None}
        self.used_templates: dict[str, None] = {}
        self.phases: list[_Phase] = []
        self.triggers: dict[tuple[str, str], _Trigger] = {}
        self.canary_steps: list[Any] = []
        self.routed, self.max_weight = False, 100
        self.weight: int | float | None = None  # the canary's weight as the steps are walked
        self.current: _Phase | None = None  # the phase the next step belongs to
        self.scale_down: str | None = None
        self.post_analysis = 0  # seconds the post-promotion analysis takes to decide
        meta = m.data.get("metadata") if isinstance(m.data.get("metadata"), dict) else {}
        self.name = m.name
        self.namespace = meta.get("namespace") if isinstance(meta.get("namespace"), str) else None
        spec = m.data.get("spec")
        self.spec = spec if isinstance(spec, dict) else {}

    # -- notes -----------------------------------------------------------------
    def note(self, path: str, why: str, m: Manifest | None = None) -> None:
        m = m or self.m
        self.notes[f"{m.where}: {m.label}: {path}: {why}"] = None

    def leftovers(self, obj: dict[str, Any], path: str, used: Sequence[str], m: Manifest | None = None) -> None:
        """Lists every key of `obj` that was not read, with why when known."""
        for key in obj:
            if key not in used:
                value = obj[key]
                shown = "" if isinstance(value, (dict, list)) else f" = {_show(value)}"
                if key == "trafficRouting" and isinstance(value, dict):
                    shown = f" ({', '.join(map(str, value))})"
                self.note(f"{path}.{key}{shown}" if path else f"{key}{shown}", _WHY.get(key, "not mapped"), m)

    def text(self, value: Any, path: str, limit: int = 2000, m: Manifest | None = None) -> str:
        out, changes = clean(value if isinstance(value, str) else json.dumps(value, default=str), limit)
        for change in changes:
            self.note(path, change, m)
        return out

    def kubectl(self, verb: str) -> str:
        words = ["kubectl", "argo", "rollouts", verb, self.name]
        return shlex.join(words + (["-n", self.namespace] if self.namespace else []))

    # -- time ----------------------------------------------------------------------
    def duration(self, value: Any, path: str, m: Manifest | None = None, *, pause: bool = False) -> str | None:
        """An Argo time as a plan duration: integer seconds, or a Go duration
        string (a pause also takes digits as seconds)."""
        seconds: Fraction | None
        number = _int(value) if (pause or not isinstance(value, str)) else None
        if number is not None:
            seconds = Fraction(number)
        elif isinstance(value, str):
            seconds = go_duration(value.strip())
        else:
            seconds = None
        if seconds is None or seconds < 0:
            go = "not a duration Argo reads (Go durations have no d or w: write 24h)"
            why = go if str(value)[-1:] in ("d", "w") else _unread(value, "not a duration")
            self.note(f"{path} = {_show(value)}", why, m)
            return None
        whole = math.ceil(seconds)
        if whole != seconds:
            whole = max(whole, 1)
            self.note(f"{path} = {_show(value)}", f"plans count whole seconds: rounded up to {whole}s", m)
        shown = plan_duration(whole)
        if shown is None:
            self.note(f"{path} = {_show(value)}", "too long for a plan duration", m)
        return shown

    # -- the plan ----------------------------------------------------------------
    def plan(self) -> ImportedPlan:
        strategy = self.spec.get("strategy")
        strategy = strategy if isinstance(strategy, dict) else {}
        canary, blue_green = strategy.get("canary"), strategy.get("blueGreen")
        if canary is None and blue_green is None:
            raise PlangenError(f"{self.m.where}: {self.m.label} has no spec.strategy.canary or spec.strategy.blueGreen",
                               "Argo Rollouts needs one of the two; add it, or leave this Rollout out of the import")
        if canary is not None and blue_green is not None:
            raise PlangenError(f"{self.m.where}: {self.m.label} has both spec.strategy.canary and blueGreen",
                               "Argo Rollouts takes one strategy; keep the one you use")
        self.leftovers(strategy, "spec.strategy", ["canary", "blueGreen"])
        if canary is not None:
            self.canary(canary if isinstance(canary, dict) else {})
            kind, rollback = "canary", self.rollback_canary()
        else:
            self.blue_green(blue_green if isinstance(blue_green, dict) else {})
            kind, rollback = "blue-green", self.rollback_blue_green()
        self.workload()
        plan = self.assemble(kind, rollback)
        return ImportedPlan(self.m, plan["id"], plan, list(self.todos), list(self.notes), list(self.sources),
                            list(self.used_templates))

    def workload(self) -> None:
        """What the Rollout deploys goes into the summary; its other settings are listed."""
        meta = self.m.data.get("metadata")
        if isinstance(meta, dict):
            self.leftovers(meta, "metadata", ["name", "namespace", "labels", "annotations"])
            for key in ("labels", "annotations"):
                if meta.get(key):
                    self.note(f"metadata.{key}", "labels and annotations are not part of a plan (notification "
                              "subscriptions included: add them under `communications`)")
        if isinstance(self.spec.get("template"), dict):
            self.note("spec.template", "the pod template: only its images are named, in the summary")
        if isinstance(self.spec.get("workloadRef"), dict):
            self.note("spec.workloadRef", "the pods come from another workload: only its name is given, in the summary")
        workload = [k for k in _WORKLOAD if k in self.spec]
        if workload:
            self.note(", ".join(f"spec.{k}" for k in workload), "workload settings, not part of a plan")
        self.leftovers(self.spec, "spec", ["strategy", "replicas", "template", "workloadRef", *_WORKLOAD])
        self.leftovers(self.m.data, "", ["apiVersion", "kind", "metadata", "spec"])

    def images(self) -> list[str]:
        template = self.spec.get("template")
        pod = template.get("spec") if isinstance(template, dict) else None
        containers = pod.get("containers") if isinstance(pod, dict) else None
        if not isinstance(containers, list):
            return []
        return [str(c["image"]) for c in containers if isinstance(c, dict) and isinstance(c.get("image"), str)]

    def summary(self, kind: str) -> str:
        where = f" in namespace {self.namespace}" if self.namespace else ""
        replicas = _int(self.spec.get("replicas"))
        what = plural(replicas if replicas is not None else 1, "replica")
        images = self.images()
        ref = self.spec.get("workloadRef")
        if images:
            what += " of " + ", ".join(images[:5])
        elif isinstance(ref, dict):
            what += f" of the pods of {ref.get('kind', 'the workload')} {ref.get('name', '')}".rstrip()
        how = {"canary": f"a canary in {plural(len(self.canary_steps), 'step')}",
               "blue-green": "a blue-green switch"}[kind]
        return (f"Imported from the Argo Rollouts manifest of Rollout {self.name}{where}: {what}, released as "
                f"{how}. Placeholders and what was not mapped are listed at the top of the file.")

    def assemble(self, kind: str, rollback: dict[str, Any]) -> dict[str, Any]:
        ph = self.ph
        found, self.todos = self.todos, {}  # the placeholders come first, then what the mapping found
        if "owner" not in ph.given:
            self.todos[f"owner: {ph.owner} stands in for whoever is accountable for this release"] = None
        self.todos["title: made from the Rollout's name; say what is released, in words a sponsor uses"] = None
        if "risk" not in ph.given:
            self.todos[f"risk: {ph.risk} is assumed; a manifest does not say what an error costs"] = None
        if "start" not in ph.given:
            self.todos[f"release_window.start: {ph.start} stands in for the first day the release may run"] = None
        self.todos["release_window.timezone: UTC stands in for the time zone the release team works in"] = None
        if not self.namespace:
            self.todos["the Rollout names no namespace: the kubectl commands use your current one"] = None
        phases = self.phases[:MAX_ITEMS]
        if len(self.phases) > MAX_ITEMS:
            self.note("spec.strategy", f"only the first {MAX_ITEMS} phases are kept (a plan holds at most "
                      f"{MAX_ITEMS}); there were {len(self.phases)}")
        for phase in phases[:-1]:  # Argo goes on once the pods of the step are available
            if not phase.exit:
                phase.exit.append("the new version's pods at this weight are available")
        approvals = []
        for i, phase in enumerate(phases[:-1]):
            if phase.gate:
                approvals.append({"id": self.ids.new(f"promote-{phase.id}"), "name": f"Promote {phase.id}",
                                  "approver": ph.owner, "before": [phases[i + 1].id], "status": "pending"})
        if approvals:
            self.todos[f"approvals: {ph.owner} stands in as the approver of "
                       f"{', '.join(a['id'] for a in approvals)}: who may run `kubectl argo rollouts promote`"] = None
        if kind == "canary" and any(p.kind == "canary" for p in phases):
            self.todos["scope of each canary phase: who the share of traffic reaches (phase-scope)"] = None
        self.todos["rollback.steps: an owner for each step (rollback-steps)"] = None
        self.todos[f"authority: the people who may abort or undo by hand, beside {self.auto}"] = None
        self.todos["support, monitoring, validation, evidence: not in a manifest; `plangen lint` lists them"] = None
        self.todos.update(found)
        plan: dict[str, Any] = {
            "format": "plangen/v1.1",
            "id": slug(self.name, "rollout"),
            "title": self.text(f"{self.name} {kind} rollout", "metadata.name"),
            "summary": self.text(self.summary(kind), "metadata.name", MAX_LONG_TEXT),
            "owner": ph.owner,
            "status": "draft",
            "risk": ph.risk,
            "tags": ["argo-rollouts", "imported"],
            "release_window": {"start": ph.start.isoformat(), "timezone": "UTC"},
            "rollout": {"strategy": kind, "phases": [self.phase_dict(p) for p in phases]},
            "approvals": approvals[:MAX_ITEMS],
            "authority": {"rollback": [self.auto], "pause": [self.auto]},
            "rollback": {key: value for key, value in rollback.items() if value != []},
        }
        if not approvals:
            del plan["approvals"]
        return plan

    def phase_dict(self, p: _Phase) -> dict[str, Any]:
        # Texts made from names in the manifest are cut to the plan's limits here, once.
        where = f"phase {p.id}"
        out: dict[str, Any] = {"id": p.id, "name": self.text(p.name, where), "kind": p.kind}
        if p.scope:
            out["scope"] = p.scope
        if p.traffic is not None:
            out["traffic"] = p.traffic
        if p.seconds:
            out["duration"] = plan_duration(p.seconds)
            if out["duration"] is None:
                self.note(where, f"its pauses add up to {p.seconds}s, too long for a plan duration")
                del out["duration"]
        p.exit = [self.text(e, where) for e in p.exit]
        for step in p.steps:
            step["do"] = self.text(step["do"], where)
        for key, items in (("exit_criteria", p.exit), ("analysis", p.analysis), ("steps", p.steps)):
            if len(items) > MAX_ITEMS:
                self.note(f"phase {p.id}", f"only the first {MAX_ITEMS} {key} are kept; there were {len(items)}")
            if items:
                out[key] = items[:MAX_ITEMS]
        if p.on_failure:
            out["on_failure"] = p.on_failure
        return out

    # -- canary ------------------------------------------------------------------
    def canary(self, c: dict[str, Any]) -> None:
        routing = c.get("trafficRouting")
        self.routed = isinstance(routing, dict)
        most = _int(routing.get("maxTrafficWeight")) if isinstance(routing, dict) else None
        self.max_weight = most if most and most > 0 else 100
        steps = c.get("steps")
        if steps is not None and not isinstance(steps, list):
            self.note("spec.strategy.canary.steps", "not a list of steps")
            steps = None
        self.canary_steps = steps or []
        if not steps:  # no steps: Argo rolls the new version out like a Deployment
            phase = self.new_phase("full", "Rolling update to the new version", "full", 100, 0)
            phase.steps.append({"do": "Argo Rollouts replaces the pods with the new version, a few at a time",
                                "owner": self.auto})
            phase.exit.append("every pod runs the new version and is available")
        for i, step in enumerate(self.canary_steps):
            self.canary_step(i, step, f"spec.strategy.canary.steps[{i}]")
        last = self.phases[-1] if self.phases else None
        if last is None or last.traffic != 100:  # once the steps are done, Argo promotes to 100%
            full = self.new_phase("full", "Full release, after the last step", "full", 100, len(self.canary_steps))
            full.after_steps, full.on_failure = True, None
            full.steps.append({"do": "Argo Rollouts makes the new version stable: it takes all traffic",
                               "owner": self.auto})
        background = c.get("analysis")
        if background is not None:
            self.background(background)
        self.leftovers(c, "spec.strategy.canary", ["steps", "analysis"])

    def new_phase(self, ident: str, name: str, kind: str, traffic: int | float | None, first: int) -> _Phase:
        phase = _Phase(self.ids.new(ident), name, kind, traffic, first, first)
        self.phases.append(phase)
        self.current = phase
        return phase

    def here(self, i: int) -> _Phase:
        """The phase an Argo step belongs to: the current one, else the weight
        the rollout is at (before the first weight, or after an experiment)."""
        if self.current is None:
            w = self.weight if self.weight is not None else 0
            again = " (after the experiment)" if self.phases else " (before the first weight)"
            self.new_phase(f"canary-{w}".replace(".", "-"), f"Canary at {w}%{again}", "canary",
                           _number(w * 100 / self.max_weight), i)
        assert self.current is not None
        self.current.last = i
        return self.current

    def canary_step(self, i: int, step: Any, path: str) -> None:
        if not isinstance(step, dict) or len(step) != 1:
            keys = ", ".join(map(str, step)) if isinstance(step, dict) else type(step).__name__
            self.note(path, f"a step has exactly one kind, this one has: {keys or 'none'}")
            return
        ((kind, value),) = step.items()
        if kind == "setWeight":
            self.set_weight(i, value, path)
        elif kind == "pause":
            self.pause(i, value, f"{path}.pause")
        elif kind == "analysis":
            phase = self.here(i)
            gates = self.analysis_ref(value, f"{path}.analysis", phase)
            names = ", ".join(dict.fromkeys(a["metric"] for a in gates)) or "no metrics"
            phase.analysis += gates
            # The step blocks until the analysis decides: the phase runs that much longer.
            phase.seconds = (phase.seconds or 0) + max((_decides_in(g) or 0 for g in gates), default=0) or None
            for g in gates:
                if _decides_in(g) is None and "on_failure" in g:
                    self.note(f"{path}.analysis ({g['metric']})", "measures with no count: the step waits until "
                              "it fails, so the rollout does not go on by itself")
            phase.steps.append({"do": f"Argo Rollouts runs the analysis ({names}) and waits for its result",
                                "owner": self.auto})
            phase.exit.append(f"the analysis run succeeds ({names})")
        elif kind == "experiment":
            self.experiment(i, value, f"{path}.experiment")
        elif kind in _WHY:
            self.note(f"{path}.{kind}", _WHY[kind])
        else:
            self.note(f"{path}.{kind}", "unknown step kind: not mapped")

    def set_weight(self, i: int, value: Any, path: str) -> None:
        weight = _int(value)
        if weight is None or not 0 <= weight <= self.max_weight:
            self.note(f"{path}.setWeight = {_show(value)}", f"not a weight from 0 to {self.max_weight}")
            self.here(i)
            return
        self.weight = weight
        traffic = _number(weight * 100 / self.max_weight)
        if traffic == 100:
            phase = self.new_phase("full", "Full: all traffic on the new version", "full", 100, i)
        else:
            phase = self.new_phase(f"canary-{traffic}".replace(".", "-"), f"Canary at {traffic}%", "canary", traffic, i)
        how = "sends {}% of traffic to the new version" if self.routed else \
            "scales the new version to about {}% of the pods (no traffic routing: the share follows pod counts)"
        phase.steps.append({"do": f"Argo Rollouts {how.format(traffic)}", "owner": self.auto})

    def pause(self, i: int, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            self.note(f"{path} = {_show(value)}", "a pause is {} or {duration: ...}; not mapped")
            return
        self.leftovers(value, path, ["duration"])
        phase = self.here(i)
        if "duration" not in value:  # indefinite: a person promotes
            phase.gate = True
            phase.steps.append({"do": "Check the new version, then promote the rollout to the next step",
                                "command": self.kubectl("promote"),
                                "expect": "the rollout leaves the pause and goes on with the next step"})
            phase.exit.append(f"a person promotes the rollout ({self.kubectl('promote')})")
            return
        shown = self.duration(value["duration"], f"{path}.duration", pause=True)
        if shown is None:
            return
        seconds = _plan_seconds(shown)
        if seconds == 0:
            self.note(f"{path}.duration", "a pause of 0 is refused by Argo Rollouts; not mapped")
            return
        phase.seconds = (phase.seconds or 0) + seconds
        phase.steps.append({"do": f"Argo Rollouts waits {shown}", "owner": self.auto, "time": shown})
        phase.exit.append(f"the pause of {shown} is over")

    def experiment(self, i: int, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            self.note(f"{path} = {_show(value)}", "not an experiment; not mapped")
            return
        runs, weight = [], 0
        templates = value.get("templates") if isinstance(value.get("templates"), list) else []
        for j, t in enumerate(templates):
            if not isinstance(t, dict):
                continue
            self.leftovers(t, f"{path}.templates[{j}]", ["name", "specRef", "replicas", "weight"])
            replicas = _int(t.get("replicas"))
            runs.append(f"{t.get('name', j)} ({t.get('specRef', '?')} version, "
                        f"{plural(replicas if replicas is not None else 1, 'pod')})")
            if t.get("specRef") == "canary":  # a baseline runs the stable version
                weight += max(_int(t.get("weight")) or 0, 0)
        traffic = _number(min(weight * 100 / self.max_weight, 100))
        kind = "parallel" if traffic else "shadow"
        if not traffic and self.weight:  # no experiment traffic: the canary keeps the weight set before
            traffic = _number(self.weight * 100 / self.max_weight)
        phase = self.new_phase("experiment", f"Experiment: {', '.join(runs) or 'no templates'}"[:200], kind,
                               traffic, i)
        phase.steps.append({"do": self.text(f"Argo Rollouts runs the experiment's ReplicaSets: {', '.join(runs)}",
                                            path), "owner": self.auto})
        if "duration" in value:
            shown = self.duration(value["duration"], f"{path}.duration", pause=True)
            if shown:
                phase.seconds = _plan_seconds(shown)
                phase.exit.append(f"the experiment has run for {shown}")
        analyses = value.get("analyses") if isinstance(value.get("analyses"), list) else []
        for j, ref in enumerate(analyses):
            if not isinstance(ref, dict):
                continue
            where = f"{path}.analyses[{j}]"
            self.leftovers(ref, where, ["name", "templateName", "clusterScope", "args", "requiredForCompletion"])
            self.args(ref.get("args"), f"{where}.args")
            phase.analysis += self.template_analyses(ref.get("templateName"), bool(ref.get("clusterScope")),
                                                     phase, where, [])
            if ref.get("requiredForCompletion") is True:
                phase.exit.append(f"the analysis {ref.get('name', ref.get('templateName'))} has completed")
        if phase.analysis:
            phase.exit.append("the experiment's analyses succeed")
        if not phase.exit:
            phase.exit.append("the experiment ends (it has no duration and no analysis: it may run until stopped)")
        self.leftovers(value, path, ["templates", "analyses", "duration"])
        self.current = None  # what follows runs at the weight before the experiment

    def background(self, ref: Any) -> None:
        path = "spec.strategy.canary.analysis"
        if not isinstance(ref, dict):
            self.note(path, "not an analysis; not mapped")
            return
        start = _int(ref.get("startingStep")) if "startingStep" in ref else 0
        if start is None or start < 0:
            self.note(f"{path}.startingStep = {_show(ref.get('startingStep'))}", "not a step number; taken as 0")
            start = 0
        spans = [p for p in self.phases if not p.after_steps and p.last >= start]
        if not spans:
            self.note(f"{path}.startingStep = {start}", "no step has that number: the analysis never starts")
            return
        counted = False
        for phase in spans:
            gates = self.analysis_ref(ref, path, phase, background=True)
            if len(spans) > 1:  # one run across the phases: no phase waits for its count
                counted = counted or any("count" in gate for gate in gates)
                for gate in gates:
                    gate.pop("count", None)
            phase.analysis[:0] = gates
            if gates:
                phase.exit.append("the background analysis has not failed")
        if counted:
            self.note(path, "a background analysis's count is for its whole run across the phases; the phases "
                      "show it without a count (and each its failure_limit, which Argo counts over the run)")

    # -- blue-green --------------------------------------------------------------
    def blue_green(self, bg: dict[str, Any]) -> None:
        path = "spec.strategy.blueGreen"
        active, preview = bg.get("activeService"), bg.get("previewService")
        count = _int(bg.get("previewReplicaCount"))
        pods = f" ({plural(count, 'pod')})" if count is not None else ""
        phase = self.new_phase("preview", "Preview: the new version beside the active one", "pilot", 0, 0)
        phase.scope = self.text(f"people and tests that use the preview Service {preview}; no production traffic"
                                if preview else "no one: the new version gets no traffic before the switch", path)
        behind = f" behind the preview Service {preview}" if preview else ""
        phase.steps.append({"do": self.text(f"Argo Rollouts brings up the new version{pods}{behind}", path),
                            "owner": self.auto})
        if "prePromotionAnalysis" in bg:
            self.promotion_analysis(bg["prePromotionAnalysis"], f"{path}.prePromotionAnalysis", phase, "pre")
        manual = bg.get("autoPromotionEnabled", True) is False
        if not isinstance(bg.get("autoPromotionEnabled", True), bool):
            self.note(f"{path}.autoPromotionEnabled = {_show(bg['autoPromotionEnabled'])}",
                      "not true or false; automatic promotion (Argo's default) is assumed")
        seconds = _int(bg.get("autoPromotionSeconds"))
        if manual:
            phase.gate = True
            phase.steps.append({"do": "Check the preview, then promote: the active Service switches to it",
                                "command": self.kubectl("promote"),
                                "expect": "the active Service points at the new version"})
            phase.exit.append(f"a person promotes the rollout ({self.kubectl('promote')})")
            if seconds:
                self.note(f"{path}.autoPromotionSeconds = {seconds}", "Argo ignores it while autoPromotionEnabled "
                          "is false")
        elif seconds and seconds > 0:
            shown = self.duration(seconds, f"{path}.autoPromotionSeconds")
            if shown:
                # The switch also waits for the pre-promotion analysis to succeed.
                phase.seconds = max(seconds, max((_decides_in(g) or 0 for g in phase.analysis), default=0))
                phase.exit.append(f"{shown} have passed since the preview was ready (automatic promotion)")
        else:
            phase.exit.append("the preview is ready (automatic promotion)")
        switch = self.new_phase("promotion", "Promotion: the active Service switches to the new version",
                                "full", 100, 1)
        to = f"the active Service {active}" if active else "the active Service"
        switch.steps.append({"do": self.text(f"Argo Rollouts points {to} at the new version", path),
                             "owner": self.auto})
        if "postPromotionAnalysis" in bg:
            self.promotion_analysis(bg["postPromotionAnalysis"], f"{path}.postPromotionAnalysis", switch, "post")
        delay = _int(bg.get("scaleDownDelaySeconds"))
        if delay is None or delay < 0:
            if "scaleDownDelaySeconds" in bg:
                self.note(f"{path}.scaleDownDelaySeconds = {_show(bg['scaleDownDelaySeconds'])}",
                          f"not a number of seconds; Argo's default {SCALE_DOWN_DELAY}s is assumed")
            else:
                self.todos[f"rollback.window: {SCALE_DOWN_DELAY}s is Argo's default scaleDownDelaySeconds "
                           "(the manifest sets none)"] = None
            delay = SCALE_DOWN_DELAY
        self.scale_down = self.duration(delay, f"{path}.scaleDownDelaySeconds")
        # The delay starts once the post-promotion analysis has succeeded.
        self.post_analysis = max((_decides_in(g) or 0 for g in switch.analysis), default=0)
        switch.steps.append({"do": f"Argo Rollouts scales the previous version down {self.scale_down} after the "
                                   f"switch{self.after_analysis()}", "owner": self.auto, "time": self.scale_down})
        self.leftovers(bg, path, ["activeService", "previewService", "previewReplicaCount", "prePromotionAnalysis",
                                  "postPromotionAnalysis", "autoPromotionEnabled", "autoPromotionSeconds",
                                  "scaleDownDelaySeconds"])
        for key in ("activeService", "previewService"):
            if key in bg:
                self.note(f"{path}.{key} = {_show(bg[key])}", "named in the phases' text only")

    def promotion_analysis(self, ref: Any, path: str, phase: _Phase, when: str) -> None:
        gates = self.analysis_ref(ref, path, phase)
        phase.analysis += gates
        names = ", ".join(dict.fromkeys(a["metric"] for a in gates)) or "no metrics"
        phase.steps.append({"do": f"Argo Rollouts runs the {when}-promotion analysis ({names})", "owner": self.auto})
        phase.exit.append(f"the {when}-promotion analysis succeeds ({names})")

    # -- analysis ----------------------------------------------------------------
    def args(self, args: Any, path: str) -> None:
        if not isinstance(args, list) or not args:
            return
        shown = []
        for a in args:
            if isinstance(a, dict):
                value = a.get("value") if "value" in a else ("from " + ", ".join(map(str, a["valueFrom"]))
                                                             if isinstance(a.get("valueFrom"), dict) else "?")
                shown.append(f"{a.get('name')}={value}")
        self.note(path, "arguments are not mapped; the queries keep {{args.*}}: " + "; ".join(shown)[:500])

    def analysis_ref(self, ref: Any, path: str, phase: _Phase, *, background: bool = False) -> list[dict[str, Any]]:
        """A Rollout's analysis (a step, background, pre- or post-promotion):
        each metric of each template it names becomes one analysis."""
        if not isinstance(ref, dict):
            self.note(f"{path} = {_show(ref)}", "not an analysis; not mapped")
            return []
        self.leftovers(ref, path, ["templates", "args", "dryRun", *(["startingStep"] if background else [])])
        self.args(ref.get("args"), f"{path}.args")
        dry = [d.get("metricName") for d in _list(ref.get("dryRun")) if isinstance(d, dict)]
        out = []
        templates = ref.get("templates") if isinstance(ref.get("templates"), list) else []
        if not templates:
            self.note(f"{path}.templates", "no templates named: nothing to measure")
        for j, t in enumerate(templates):
            if isinstance(t, dict):
                out += self.template_analyses(t.get("templateName"), bool(t.get("clusterScope")), phase,
                                              f"{path}.templates[{j}]", dry)
        return out

    def find(self, name: str, cluster: bool) -> Manifest | None:
        wanted = "ClusterAnalysisTemplate" if cluster else "AnalysisTemplate"
        named = [t for t in self.templates if t.name == name]
        return next((t for t in named if t.kind == wanted), named[0] if named else None)

    def template_analyses(self, name: Any, cluster: bool, phase: _Phase, path: str, dry: list[Any],
                          seen: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        if not isinstance(name, str) or not name:
            self.note(path, "no templateName; not mapped")
            return []
        template = self.find(name, cluster)
        if template is None:
            ident = self.ids.new(f"{name}-{phase.id}")
            kind = "ClusterAnalysisTemplate" if cluster else "AnalysisTemplate"
            self.note(f"{path}.templateName = {quote(name)}", f"the {kind} is not among the imported files: "
                      "its metrics, queries and conditions are missing")
            self.todos[f"analyses named {name}: the {kind} {name} was not imported; give their metric, provider, "
                       "query and conditions (or import its file too)"] = None
            gate = {"id": ident, "metric": self.text(name, path), "on_failure": "rollback", "decided_by": self.auto}
            self.trigger(name, name, gate, phase)
            return [gate]
        self.sources[template.source] = None
        self.used_templates[template.where] = None
        if template.where in seen:
            self.note(path, "the template includes itself; not mapped again", template)
            return []
        spec = template.data.get("spec") if isinstance(template.data.get("spec"), dict) else {}
        self.leftovers(spec, "spec", ["metrics", "templates", "args", "dryRun"], template)
        self.leftovers(template.data, "", ["apiVersion", "kind", "metadata", "spec"], template)
        if isinstance(spec.get("args"), list):
            names = [str(a.get("name")) for a in spec["args"] if isinstance(a, dict)]
            self.note("spec.args", f"template arguments ({', '.join(names)}) stay as {{{{args.*}}}} in the queries",
                      template)
        dry = dry + [d.get("metricName") for d in _list(spec.get("dryRun")) if isinstance(d, dict)]
        out = []
        metrics = spec.get("metrics") if isinstance(spec.get("metrics"), list) else []
        for k, metric in enumerate(metrics):
            if isinstance(metric, dict):
                out.append(self.metric(metric, template, phase, f"spec.metrics[{k}]", dry))
        for k, inner in enumerate(_list(spec.get("templates"))):
            if isinstance(inner, dict):
                out += self.template_analyses(inner.get("templateName"), bool(inner.get("clusterScope")), phase,
                                              f"spec.templates[{k}]", dry, (*seen, template.where))
        return out

    def metric(self, metric: dict[str, Any], t: Manifest, phase: _Phase, path: str, dry: list[Any]) -> dict[str, Any]:
        name = str(metric.get("name") or path)
        gate: dict[str, Any] = {"id": self.ids.new(f"{name}-{phase.id}"), "metric": self.text(name, path, m=t)}
        provider = metric.get("provider") if isinstance(metric.get("provider"), dict) else {}
        if len(provider) != 1:
            self.note(f"{path}.provider", f"a metric has one provider; this one has {len(provider)}", t)
        for key, body in list(provider.items())[:1]:
            body = body if isinstance(body, dict) else {}
            gate["provider"] = PROVIDERS.get(key, self.text(str(key).lower(), path, m=t))
            query, used = self.query(key, body, t, path)
            if key == "plugin" and body:
                gate["provider"] = self.text(f"plugin {next(iter(body))}", path, m=t)
            if query:
                gate["query"] = self.text(query, f"{path}.provider.{key}", MAX_LONG_TEXT, m=t)
            self.leftovers(body, f"{path}.provider.{key}", used, t)
        for key, out in (("interval", "interval"), ("initialDelay", "initial_delay")):
            if key in metric:
                shown = self.duration(metric[key], f"{path}.{key}", t)
                if shown:
                    gate[out] = shown
        count = _int(metric.get("count")) if "count" in metric else None
        if "count" in metric and (count is None or not 0 <= count <= 100_000):
            self.note(f"{path}.count = {_show(metric['count'])}", _unread(metric["count"], "not a number of "
                      "measurements from 0 to 100000"), t)
        elif count:
            gate["count"] = count
        elif "count" not in metric and "interval" not in metric:
            gate["count"] = 1  # Argo takes one measurement
        for key, out in (("successCondition", "success"), ("failureCondition", "failure")):
            if metric.get(key) is not None:
                gate[out] = self.text(str(metric[key]), f"{path}.{key}", m=t)
        if gate.get("provider") == "job" and "success" not in gate and "failure" not in gate:
            gate["success"] = "the Job completes successfully"  # how Argo judges a job metric
        limit = _int(metric.get("failureLimit", 0))
        if limit is not None and 0 <= limit <= 100_000:
            gate["failure_limit"] = limit
        else:
            self.note(f"{path}.failureLimit = {_show(metric.get('failureLimit'))}",
                      _unread(metric.get("failureLimit"), "-1 (failures never fail the analysis) has no plan value"),
                      t)
        is_dry = metric.get("dryRun") is True or any(_matches(pattern, name) for pattern in dry)
        if is_dry:
            gate["dry_run"] = True  # its result never stops the rollout: no on_failure, no trigger
        else:
            gate["on_failure"] = "rollback"  # Argo aborts: traffic goes back to the stable version
            self.trigger(f"{t.kind} {t.name}", name, gate, phase)
        gate["decided_by"] = self.auto
        self.leftovers(metric, path, ["name", "provider", "interval", "initialDelay", "count", "successCondition",
                                      "failureCondition", "failureLimit", "dryRun"], t)
        return gate

    def query(self, key: str, body: dict[str, Any], t: Manifest, path: str) -> tuple[str | None, list[str]]:
        """The text that measures the metric, and the provider fields it used."""
        if key in _QUERY_PROVIDERS or (key == "datadog" and "query" in body):
            return _str(body.get("query")), ["query"]
        if key == "datadog":
            queries = body.get("queries") if isinstance(body.get("queries"), dict) else {}
            lines = [f"formula: {body['formula']}"] if body.get("formula") else []
            return "\n".join(lines + [f"{k}: {v}" for k, v in queries.items()]) or None, ["queries", "formula"]
        if key == "web":
            url = _str(body.get("url"))
            path = f"\njsonPath: {body['jsonPath']}" if body.get("jsonPath") else ""
            return (f"{body.get('method', 'GET')} {url}{path}" if url else None), ["url", "method", "jsonPath"]
        if key == "job":
            if body.get("spec"):
                self.note(f"{path}.provider.job.spec", "only the containers' images and commands are kept", t)
            return _job_command(body), ["spec"]
        if key == "kayenta":
            config, app = body.get("canaryConfigName"), body.get("application")
            return f"Kayenta canary config {config} of application {app}", ["canaryConfigName", "application"]
        if key == "cloudWatch":
            queries = body.get("metricDataQueries") if isinstance(body.get("metricDataQueries"), list) else []
            lines = [f"{q.get('id', i)}: {q.get('expression') or json.dumps(q.get('metricStat'), default=str)}"
                     for i, q in enumerate(queries) if isinstance(q, dict)]
            return "\n".join(lines) or None, ["metricDataQueries"]
        if key == "plugin":
            return json.dumps(body, sort_keys=True, default=str), list(body)
        return None, []

    def trigger(self, template: str, metric: str, gate: dict[str, Any], phase: _Phase) -> None:
        """One rollback trigger per metric: the same metric in several phases is one symptom."""
        signal = gate.get("failure") or (f"not ({gate['success']})" if gate.get("success") else None)
        found = self.triggers.setdefault((template, metric), _Trigger(gate["metric"], signal,
                                                                      gate.get("failure_limit")))
        found.phases.append(phase.id)

    # -- rollback ------------------------------------------------------------------
    def triggers_list(self) -> list[dict[str, Any]]:
        out = []
        for t in list(self.triggers.values())[:MAX_ITEMS]:
            tolerated = f", after {plural(t.limit, 'failed measurement')} tolerated" if t.limit else ""
            trigger = {"id": self.ids.new(f"{t.metric}-fails"),
                       "symptom": self.text(f"the analysis {t.metric} fails ({'phase' if len(t.phases) == 1 else 'phases'} "
                                            f"{', '.join(t.phases)}){tolerated}",
                                            "analysis"),
                       "signal": self.text(t.signal, "analysis") if t.signal else None,
                       "action": "rollback", "decided_by": self.auto}
            out.append({k: v for k, v in trigger.items() if v is not None})
        return out

    def rollback_steps(self, abort_expect: str) -> list[dict[str, Any]]:
        return [
            {"do": "Abort the rollout", "command": self.kubectl("abort"), "expect": abort_expect},
            {"do": "Roll the spec back to the previous revision, so what is declared matches what runs",
             "command": self.kubectl("undo"),
             "expect": "a new revision with the previous pod template; its steps run again unless the previous "
                       "pods are still up"},
            {"do": "Confirm the rollout is healthy on the previous version", "command": self.kubectl("status"),
             "expect": "Status: Healthy"},
        ]

    def rollback_canary(self) -> dict[str, Any]:
        return {"target": "the stable version: the one running before this rollout started",
                "triggers": self.triggers_list(),
                "steps": self.rollback_steps("Status: Degraded (aborted); the stable version takes all traffic "
                                             "and the canary pods are scaled down")}

    def window_lasts(self) -> str | None:
        if not self.post_analysis or self.scale_down is None:
            return self.scale_down
        return plan_duration(_plan_seconds(self.scale_down) + self.post_analysis) or self.scale_down

    def after_analysis(self) -> str:
        return f" and its post-promotion analysis (about {plan_duration(self.post_analysis)})" \
            if self.post_analysis else ""

    def rollback_blue_green(self) -> dict[str, Any]:
        return {"target": "the previous version: the one behind the active Service before the switch",
                "window": {"phase": "promotion", "lasts": self.window_lasts(),
                           "reason": f"Argo Rollouts scales the previous version down {self.scale_down} "
                                     f"(scaleDownDelaySeconds) after the switch{self.after_analysis()}. Until then an "
                                     "abort or undo switches back at once; after it, the previous version must be "
                                     "rolled out again, with its analysis."},
                "triggers": self.triggers_list(),
                "steps": self.rollback_steps("Status: Degraded (aborted); the active Service points at the "
                                             "previous version")}


def _unread(value: Any, what: str) -> str:
    """Why a value was not mapped: set at run time ({{args.x}}), or not what Argo expects."""
    return "set when the analysis runs (an argument)" if isinstance(value, str) and "{{" in value else what


def _decides_in(gate: dict[str, Any]) -> int | None:
    """Seconds an analysis takes to decide, as the plan reads it; None when it has no end of its own."""
    timing = {k: gate[k] for k in ("interval", "count", "initial_delay") if k in gate}
    needs = analysis_time(Analysis(id="timing", metric="timing", **timing))
    return int(needs.total_seconds()) if needs is not None else None


def _plan_seconds(shown: str) -> int:
    """'90m' -> 5400: a duration made by plan_duration, read back."""
    return int(shown[:-1]) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[shown[-1]]


def _list(value: Any) -> list[Any]:
    """A list field, or nothing: a manifest may hold anything where a list belongs."""
    return value if isinstance(value, list) else []


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _matches(pattern: Any, name: str) -> bool:
    """Argo matches dryRun metric names as a regular expression ('.*' for all)."""
    try:
        return isinstance(pattern, str) and re.fullmatch(pattern, name) is not None
    except re.error:
        return pattern == name


def _job_command(body: dict[str, Any]) -> str | None:
    """The commands of a job metric's containers, one line each: 'image: command args'."""
    spec = body.get("spec") if isinstance(body.get("spec"), dict) else {}
    template = spec.get("template") if isinstance(spec.get("template"), dict) else {}
    pod = template.get("spec") if isinstance(template.get("spec"), dict) else {}
    lines = []
    for c in _list(pod.get("containers")):
        if isinstance(c, dict):
            words = [str(w) for w in _list(c.get("command")) + _list(c.get("args")) if not isinstance(w, (dict, list))]
            lines.append(f"{c.get('image', c.get('name', 'container'))}: {shlex.join(words)}".rstrip(": "))
    return "\n".join(lines) or None
