// Small pure helpers of the designer's screens.

// actorName shows who saved a definition ("user:wang" → "wang").
export function actorName(by: string | null | undefined): string {
  if (!by) return "--";
  return by.replace(/^user:/, "");
}

// apiNameFrom suggests an API name from an English label: lower camel
// case of its letters and digits ("Service ticket" → "serviceTicket"),
// "" when nothing usable is left.
export function apiNameFrom(label: string): string {
  const words = label
    .normalize("NFKD")
    .replace(/[^A-Za-z0-9]+/g, " ")
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  // A first word in capitals (VIP) goes to lower case whole.
  const first = (w: string) => (w === w.toUpperCase() ? w.toLowerCase() : w.charAt(0).toLowerCase() + w.slice(1));
  const s = words.map((w, i) => (i === 0 ? first(w) : w.charAt(0).toUpperCase() + w.slice(1))).join("");
  const rest = s.replace(/^[0-9]+/, "");
  return rest ? (rest.charAt(0).toLowerCase() + rest.slice(1)).slice(0, 40) : "";
}
