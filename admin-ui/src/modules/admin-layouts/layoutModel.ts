import type { Label } from "@/i18n/I18nProvider";
import type { LabelText } from "./pipelineModel";

// The layout designer's model and its round trip with the record-page
// layout saveLayout takes: {object, sections: [{label: {zh, en}, columns:
// 1-4, fields}], related: ["object.field"]}. What layout() adds when read
// (readOnly, default) is not part of a saved layout.

export type SectionDraft = { id: string; label: LabelText; columns: number; fields: string[] };

export type LayoutDraft = { object: string; sections: SectionDraft[]; related: string[] };

export type LayoutJSON = {
  object: string;
  sections: { label: { zh?: string; en?: string }; columns: number; fields: string[] }[];
  related?: string[];
};

// The id of the palette (fields not on the page) among the containers.
export const paletteId = "palette";

let nextId = 0;
export function sectionId(): string {
  nextId += 1;
  return `sec${nextId}`;
}

type ReadLayout = {
  object: string;
  sections?: { label?: Label; columns?: number; fields?: string[] }[] | null;
  related?: string[] | null;
};

export function fromLayout(l: ReadLayout): LayoutDraft {
  return {
    object: l.object,
    sections: (l.sections ?? []).map((s) => ({
      id: sectionId(),
      label: { zh: s.label?.zh ?? "", en: s.label?.en ?? "" },
      columns: s.columns && s.columns >= 1 && s.columns <= 4 ? s.columns : 2,
      fields: [...(s.fields ?? [])],
    })),
    related: [...(l.related ?? [])],
  };
}

export function toLayout(d: LayoutDraft): LayoutJSON {
  const out: LayoutJSON = {
    object: d.object,
    sections: d.sections.map((s) => {
      const label: { zh?: string; en?: string } = {};
      if (s.label.zh) label.zh = s.label.zh;
      if (s.label.en) label.en = s.label.en;
      return { label, columns: s.columns, fields: [...s.fields] };
    }),
  };
  if (d.related.length) out.related = [...d.related];
  return out;
}

// unplaced are the fields of the object that no section shows, in the
// object's order.
export function unplaced(d: LayoutDraft, fields: string[]): string[] {
  const placed = new Set(d.sections.flatMap((s) => s.fields));
  return fields.filter((f) => !placed.has(f));
}

// containerOf names the section holding a field, paletteId when none does.
export function containerOf(d: LayoutDraft, field: string): string {
  return d.sections.find((s) => s.fields.includes(field))?.id ?? paletteId;
}

// moveField takes a field out of wherever it is and puts it into a
// section (or back on the palette) at index (the end when undefined).
export function moveField(d: LayoutDraft, field: string, to: string, index?: number): LayoutDraft {
  const sections = d.sections.map((s) => ({ ...s, fields: s.fields.filter((f) => f !== field) }));
  if (to !== paletteId) {
    const target = sections.find((s) => s.id === to);
    if (target) {
      const at = index === undefined ? target.fields.length : Math.max(0, Math.min(index, target.fields.length));
      target.fields.splice(at, 0, field);
    }
  }
  return { ...d, sections };
}

// layoutProblems are what saveLayout would refuse, in words, by section id
// ("" for the layout as a whole).
export function layoutProblems(d: LayoutDraft, zh: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  if (d.sections.length === 0) out[""] = zh ? "页面至少需要一个分区" : "The page needs at least one section";
  for (const s of d.sections) {
    if (!s.label.zh.trim() && !s.label.en.trim()) out[s.id] = zh ? "请填写分区名称" : "The section needs a name";
  }
  return out;
}
