import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  draftProblems,
  fromDefinition,
  moveStage,
  newId,
  newPipelineDraft,
  picklistsWithoutPipeline,
  pipelineFields,
  removedValues,
  toDefinition,
  withoutPipeline,
  type StageDraft,
} from "../pipelineModel";

// The pipeline editor's round trip: what it reads from a definition and
// writes back is the definition, for every pipeline the templates ship;
// each stage option the form edits lands in the right keyword.

const templates = resolve(process.cwd(), "../templates");

function templateObjects(): { name: string; def: Record<string, unknown> }[] {
  const out: { name: string; def: Record<string, unknown> }[] = [];
  for (const t of readdirSync(templates)) {
    let files: string[] = [];
    try {
      files = readdirSync(join(templates, t, "objects"));
    } catch {
      continue;
    }
    for (const f of files.filter((f) => f.endsWith(".json"))) out.push({ name: `${t}/${f}`, def: JSON.parse(readFileSync(join(templates, t, "objects", f), "utf8")) });
  }
  return out;
}

const withPipelines = templateObjects().filter((o) => pipelineFields(o.def).length > 0);

describe("pipeline model round trip", () => {
  it("finds the templates' pipelines", () => {
    expect(withPipelines.length).toBeGreaterThanOrEqual(10);
  });

  for (const o of withPipelines) {
    for (const field of pipelineFields(o.def)) {
      it(`${o.name} ${field}: unchanged in, equal out`, () => {
        const draft = fromDefinition(o.def, field)!;
        expect(draft.stages.length).toBeGreaterThan(0);
        const before = JSON.stringify(o.def);
        expect(toDefinition(o.def, draft)).toEqual(o.def);
        expect(JSON.stringify(o.def)).toBe(before);
      });
    }
  }
});

const opportunity = JSON.parse(readFileSync(join(templates, "b2b-sales/objects/opportunity.json"), "utf8")) as Record<string, unknown>;
type Prop = { enum: unknown[]; default?: string; "x-crm-options": Record<string, unknown>[]; "x-crm-pipeline": { label?: unknown; stages: Record<string, unknown>[] } };
const stageProp = (def: Record<string, unknown>) => (def.properties as Record<string, Prop>).stage;

describe("pipeline edits", () => {
  it("writes every stage option into the field's enum, options and pipeline", () => {
    const d = fromDefinition(opportunity, "stage")!;
    const s = d.stages;
    // Swap the first two stages, rename one, recolour, change its category
    // data, and restrict its next stages.
    let stages = moveStage(s, 0, 1);
    stages = stages.map((x) =>
      x.value === "prospecting"
        ? { ...x, label: { zh: "初次接触", en: "First contact" }, color: "#123abc", probability: 15, required: ["account"], next: ["lost"] }
        : x.value === "needsAnalysis"
          ? { ...x, probability: undefined, next: undefined, required: [] }
          : x,
    );
    const added: StageDraft = { id: newId(), value: "qualified", saved: false, label: { zh: "已确认", en: "" }, category: "open", probability: 30, required: [], optionRest: {}, stageRest: {}, hadRequired: false };
    stages.splice(2, 0, added);
    const out = stageProp(toDefinition(opportunity, { ...d, label: { zh: "销售流程", en: "" }, stages }));
    expect(out.enum).toEqual(["needsAnalysis", "prospecting", "qualified", "solution", "proposal", "negotiation", "won", "lost"]);
    expect(out["x-crm-options"][1]).toEqual({ value: "prospecting", label: { zh: "初次接触", en: "First contact" }, color: "#123abc" });
    expect(out["x-crm-options"][2]).toEqual({ value: "qualified", label: { zh: "已确认" } });
    expect(out["x-crm-pipeline"].label).toEqual({ zh: "销售流程" });
    expect(out["x-crm-pipeline"].stages[0]).toEqual({ value: "needsAnalysis", category: "open" });
    expect(out["x-crm-pipeline"].stages[1]).toEqual({ value: "prospecting", category: "open", probability: 15, required: ["account"], next: ["lost"] });
    expect(out["x-crm-pipeline"].stages[2]).toEqual({ value: "qualified", category: "open", probability: 30 });
    // Everything else of the definition stays.
    const rest = (def: Record<string, unknown>) => ({ ...def, properties: { ...(def.properties as object), stage: null } });
    expect(rest(toDefinition(opportunity, { ...d, stages }))).toEqual(rest(opportunity));
  });

  it("removes a stage from the enum, the options, the other stages' next lists and the default", () => {
    const d = fromDefinition(opportunity, "stage")!;
    const stages = d.stages.filter((s) => s.value !== "prospecting");
    const draft = { ...d, stages };
    expect(removedValues(d, draft)).toEqual(["prospecting"]);
    const out = stageProp(toDefinition(opportunity, draft));
    expect(out.enum).not.toContain("prospecting");
    expect(out["x-crm-options"].map((o) => o.value)).not.toContain("prospecting");
    const lost = out["x-crm-pipeline"].stages.find((s) => s.value === "lost")!;
    expect(lost.next).toEqual([]);
    expect(out.default).toBeUndefined();
  });

  it("names what the server would refuse", () => {
    const d = fromDefinition(opportunity, "stage")!;
    expect(draftProblems(d, true)).toEqual({});
    const bad = { ...d, stages: d.stages.map((s, i) => (i === 0 ? { ...s, saved: false, value: "1x" } : i === 1 ? { ...s, probability: 120 } : s.value === "lost" ? { ...s, category: "closed" as const } : s)) };
    const p = draftProblems(bad, false);
    expect(p[bad.stages[0].id][0]).toMatch(/starts with a letter/);
    expect(p[bad.stages[1].id][0]).toMatch(/0 to 100/);
    expect(p[""].join(" ")).toMatch(/mix "closed"/);
    const none = draftProblems({ ...d, stages: d.stages.map((s) => ({ ...s, category: "won" as const })) }, false);
    expect(none[""][0]).toMatch(/open/);
    const dup = { ...d, stages: [...d.stages, { ...d.stages[0], id: newId(), saved: false }] };
    expect(Object.values(draftProblems(dup, false)).flat().join(" ")).toMatch(/used twice/);
  });

  it("keeps a field without options without them, and writes them once a stage has a label", () => {
    const def = {
      $id: "ticket",
      type: "object",
      properties: { status: { type: "string", enum: ["new", "done"], "x-crm-type": "picklist", "x-crm-pipeline": { stages: [{ value: "new", category: "open" }, { value: "done", category: "closed", required: [] }] } } },
    };
    const d = fromDefinition(def, "status")!;
    expect(toDefinition(def, d)).toEqual(def);
    const labelled = toDefinition(def, { ...d, stages: d.stages.map((s) => (s.value === "done" ? { ...s, label: { zh: "完成", en: "Done" } } : s)) });
    expect((labelled.properties as Record<string, Record<string, unknown>>).status["x-crm-options"]).toEqual([
      { value: "new", label: { zh: "new" } },
      { value: "done", label: { zh: "完成", en: "Done" } },
    ]);
  });
});

describe("adding and removing a pipeline", () => {
  it("makes a picklist's options open stages, and takes the pipeline off again", () => {
    expect(picklistsWithoutPipeline(opportunity)).toContain("forecastCategory");
    expect(picklistsWithoutPipeline(opportunity)).not.toContain("stage");
    expect(newPipelineDraft(opportunity, "stage")).toBeNull();
    const d = newPipelineDraft(opportunity, "forecastCategory")!;
    expect(d.stages.map((s) => [s.value, s.category, s.saved])).toEqual([
      ["pipeline", "open", true],
      ["bestCase", "open", true],
      ["commit", "open", true],
      ["closed", "open", true],
      ["omitted", "open", true],
    ]);
    const stages = d.stages.map((s) => (s.value === "closed" ? { ...s, category: "closed" as const } : s));
    const def = toDefinition(opportunity, { ...d, stages });
    const f = (def.properties as Record<string, Prop>).forecastCategory;
    const before = (opportunity.properties as Record<string, Prop>).forecastCategory;
    expect(f.enum).toEqual(before.enum);
    expect(f["x-crm-options"]).toEqual(before["x-crm-options"]);
    expect(f["x-crm-pipeline"]).toEqual({
      label: { zh: "预测分类", en: "Forecast category" },
      stages: [
        { value: "pipeline", category: "open" },
        { value: "bestCase", category: "open" },
        { value: "commit", category: "open" },
        { value: "closed", category: "closed" },
        { value: "omitted", category: "open" },
      ],
    });
    expect(withoutPipeline(def, "forecastCategory")).toEqual(opportunity);
  });
});
