import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  actionTypes,
  automationForm,
  automationJSON,
  automationsOf,
  emptyAutomation,
  events,
  formulasOf,
  formulaToDoc,
  freeName,
  putAutomation,
  putScript,
  removeAutomation,
  removeScript,
  rulesOf,
  rulesToDoc,
  scriptsOf,
  scriptsToDoc,
} from "../model";

// The designers' JSON round trips: what the forms read from a definition
// and write back is what the API stores, for the templates' own rules,
// scripts and automations and for hand-made ones covering every trigger
// and action.

const templatesDir = resolve(__dirname, "../../../../../templates");

function templateDefinitions(): { file: string; doc: Record<string, unknown> }[] {
  const out: { file: string; doc: Record<string, unknown> }[] = [];
  for (const t of readdirSync(templatesDir, { withFileTypes: true })) {
    if (!t.isDirectory()) continue;
    const dir = join(templatesDir, t.name, "objects");
    let files: string[] = [];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith(".json"));
    } catch {
      continue;
    }
    for (const f of files) out.push({ file: `${t.name}/${f}`, doc: JSON.parse(readFileSync(join(dir, f), "utf8")) });
  }
  return out;
}

const defs = templateDefinitions();

describe("templates as fixtures", () => {
  it("has definitions with rules, scripts and automations to check", () => {
    expect(defs.filter((d) => d.doc["x-crm-automations"]).length).toBeGreaterThanOrEqual(5);
    expect(defs.filter((d) => d.doc["x-crm-scripts"]).length).toBeGreaterThanOrEqual(2);
    expect(defs.filter((d) => d.doc["x-crm-validations"]).length).toBeGreaterThanOrEqual(4);
  });

  for (const { file, doc } of defs) {
    if (!doc["x-crm-automations"] && !doc["x-crm-scripts"] && !doc["x-crm-validations"]) continue;
    it(`round-trips ${file}`, () => {
      expect(rulesToDoc(doc, rulesOf(doc))).toEqual(doc);
      expect(scriptsToDoc(doc, scriptsOf(doc))).toEqual(doc);
      for (const a of (doc["x-crm-automations"] as Record<string, unknown>[] | undefined) ?? []) {
        expect(automationJSON(automationForm(a))).toEqual(a);
        // Saving one automation through the form keeps the whole document.
        expect(putAutomation(doc, automationForm(a), a.name as string)).toEqual(doc);
      }
    });
  }
});

const handMade: Record<string, unknown>[] = [
  { name: "a1", trigger: { event: "created" }, actions: [{ type: "setFields", values: { stage: "new", amount: 0, vip: true, note: "来自 {{source}}", owner: "{{id}}" } }] },
  { name: "a2", label: { zh: "修改时", en: "On change" }, active: false, trigger: { event: "updated" }, actions: [{ type: "webhook", url: "https://erp.example.com/hook" }] },
  {
    name: "a3",
    trigger: { event: "saved" },
    condition: { and: [{ field: "amount", op: "gte", value: 1000 }, { field: "stage", op: "in", value: ["won", "lost"] }] },
    actions: [{ type: "createRecord", object: "task", values: { subject: "跟进 {{title}}", deal: "{{id}}" } }],
  },
  { name: "a4", trigger: { event: "fieldChanged", fields: ["amount", "stage"] }, actions: [{ type: "assignRoundRobin", field: "ownerId", values: ["user:li", "user:wang"] }] },
  {
    name: "a5",
    trigger: { event: "stageEntered", field: "stage", stages: ["won"] },
    condition: { or: [{ field: "amount", op: "gt", value: 1 }, { not: { field: "title", op: "isNull", value: true } }] },
    actions: [{ type: "notify", recipients: ["{{ownerId}}", "sales"], message: { zh: "赢单 {{title}}", en: "Won {{title}}" } }],
  },
  { name: "a6", trigger: { event: "time", dateField: "closeDate", offsetDays: -2, offsetHours: 9 }, actions: [{ type: "runScript", script: "notifyTeam" }] },
  { name: "a7", trigger: { event: "time", dateField: "closeDate" }, actions: [{ type: "notify", recipients: ["sales"], message: { zh: "到期" } }, { type: "setFields", values: { reminded: true } }] },
];

describe("automations", () => {
  it("covers every trigger and action", () => {
    expect(new Set(handMade.map((a) => (a.trigger as { event: string }).event))).toEqual(new Set(events));
    expect(new Set(handMade.flatMap((a) => (a.actions as { type: string }[]).map((x) => x.type)))).toEqual(new Set(actionTypes));
  });

  for (const a of handMade) {
    it(`round-trips ${a.name}`, () => {
      expect(automationJSON(automationForm(a))).toEqual(a);
    });
  }

  it("writes only the keys of the chosen trigger and action", () => {
    const f = automationForm(handMade[5]);
    f.event = "created";
    f.actions[0] = { ...f.actions[0], type: "webhook", url: " https://x.example.com/h " };
    expect(automationJSON(f)).toEqual({ name: "a6", trigger: { event: "created" }, actions: [{ type: "webhook", url: "https://x.example.com/h" }] });
  });

  it("adds, replaces and removes one automation, keeping the others as stored", () => {
    const doc: Record<string, unknown> = { type: "object", properties: {}, "x-crm-automations": [handMade[0], handMade[1]] };
    const n = emptyAutomation("a9");
    n.actions[0].url = "https://h.example.com";
    const added = putAutomation(doc, n);
    expect(automationsOf(added).map((a) => a.name)).toEqual(["a1", "a2", "a9"]);
    const renamed = putAutomation(added, { ...automationForm(handMade[1]), name: "a2b" }, "a2");
    expect((renamed["x-crm-automations"] as { name: string }[]).map((a) => a.name)).toEqual(["a1", "a2b", "a9"]);
    expect((renamed["x-crm-automations"] as unknown[])[0]).toBe(handMade[0]);
    const emptied = removeAutomation(removeAutomation(removeAutomation(renamed, "a1"), "a2b"), "a9");
    expect(emptied).toEqual({ type: "object", properties: {} });
  });
});

describe("rules", () => {
  const doc = { type: "object", properties: { amount: { type: "number" } } };
  it("writes a rule as the keyword takes it", () => {
    const out = rulesToDoc(doc, [{ name: "positive", condition: "amount <= 0", field: "amount", message: { zh: "必须大于 0", en: "" }, active: false }]);
    expect(out["x-crm-validations"]).toEqual([{ name: "positive", condition: "amount <= 0", field: "amount", message: { zh: "必须大于 0" }, active: false }]);
    expect(rulesOf(out)).toEqual([{ name: "positive", condition: "amount <= 0", field: "amount", message: { zh: "必须大于 0" }, active: false }]);
  });
  it("leaves out the field of a rule on the whole record, and the keyword when no rule is left", () => {
    const out = rulesToDoc(doc, [{ name: "r", condition: "true", field: "", message: { en: "no" } }]);
    expect(out["x-crm-validations"]).toEqual([{ name: "r", condition: "true", message: { en: "no" } }]);
    expect(rulesToDoc(out, [])).toEqual(doc);
  });
});

describe("scripts", () => {
  const doc = { type: "object", properties: {} };
  it("adds, renames, deactivates and removes scripts", () => {
    let d = putScript(doc, { name: "check", kind: "validate", source: "ctx.addError('x')" });
    d = putScript(d, { name: "tick", kind: "scheduled", source: "log(1)", schedule: "0 8 * * *", label: { zh: "每日", en: "" } });
    expect(d["x-crm-scripts"]).toEqual([
      { name: "check", kind: "validate", source: "ctx.addError('x')" },
      { name: "tick", label: { zh: "每日" }, kind: "scheduled", source: "log(1)", schedule: "0 8 * * *" },
    ]);
    d = putScript(d, { ...scriptsOf(d)[0], name: "check2", active: false }, "check");
    expect(scriptsOf(d).map((s) => [s.name, s.active])).toEqual([
      ["check2", false],
      ["tick", undefined],
    ]);
    expect(removeScript(removeScript(d, "check2"), "tick")).toEqual(doc);
  });
  it("drops the schedule of a script that is not scheduled", () => {
    const d = putScript(doc, { name: "s", kind: "afterSave", source: "log(1)", schedule: "0 * * * *" });
    expect(d["x-crm-scripts"]).toEqual([{ name: "s", kind: "afterSave", source: "log(1)" }]);
  });
});

describe("formulas", () => {
  it("reads and sets a formula's expression, keeping the property", () => {
    const doc = { type: "object", properties: { net: { type: "number", "x-crm-type": "formula", "x-crm-formula": { expression: "amount * 0.9" } }, amount: { type: "number" } } };
    expect(formulasOf(doc)).toEqual([{ field: "net", expression: "amount * 0.9" }]);
    const out = formulaToDoc(doc, "net", "amount * 0.8");
    expect(out.properties).toEqual({ net: { type: "number", "x-crm-type": "formula", "x-crm-formula": { expression: "amount * 0.8" } }, amount: { type: "number" } });
    expect(doc.properties.net["x-crm-formula"].expression).toBe("amount * 0.9");
  });
});

it("freeName finds an unused name", () => {
  expect(freeName("rule", [])).toBe("rule");
  expect(freeName("rule", ["rule", "rule2"])).toBe("rule3");
});
