import type { FieldMeta, StageCategory } from "@/metadata/types";

// Colours of picklist values and stages: the option's own colour when the
// definition gives one, else a stage's category colour, else a palette
// colour by the option's position (stable for a definition).

const palette = ["blue", "green", "orange", "purple", "cyan", "magenta", "gold", "geekblue", "volcano", "lime"];

const categoryColor: Record<StageCategory, string> = { open: "processing", won: "success", lost: "error", closed: "default" };

export function optionColor(f: FieldMeta, value: string): string {
  const i = f.options.findIndex((o) => o.value === value);
  const own = i >= 0 ? f.options[i].color : undefined;
  if (own) return own;
  const stage = f.pipeline?.stages.find((s) => s.value === value);
  if (stage) return categoryColor[stage.category];
  return i >= 0 ? palette[i % palette.length] : "default";
}
