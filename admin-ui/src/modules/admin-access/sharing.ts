// The organisation-wide default of record access of an object
// (x-crm-sharing), as the sharing page reads and writes it.

export type Sharing = "readWrite" | "readOnly" | "private";
export const sharings: Sharing[] = ["readWrite", "readOnly", "private"];

// sharingOf is an object definition's default; readWrite when unset.
export function sharingOf(def: Record<string, unknown> | undefined): Sharing {
  const v = def?.["x-crm-sharing"];
  return v === "readOnly" || v === "private" ? v : "readWrite";
}

// withSharing returns the definition with its default changed and every
// other keyword as it was.
export function withSharing(def: Record<string, unknown>, s: Sharing): Record<string, unknown> {
  return { ...def, "x-crm-sharing": s };
}
