// The shared-view form's model and what the server would refuse in it.

export type ViewDraft = {
  name: string;
  label: { zh: string; en: string };
  columns: string[];
  sort: { field: string; desc: boolean }[];
};

const namePattern = /^[a-z][a-zA-Z0-9]{0,39}$/;

// viewProblems names what is wrong with a view before it is sent, keyed by
// the part of the form it concerns.
export function viewProblems(d: ViewDraft, taken: string[], zh: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  if (!d.label.zh.trim() && !d.label.en.trim()) out.label = zh ? "请填写视图名称（中文或英文）" : "The view needs a name (Chinese or English)";
  if (!namePattern.test(d.name)) out.name = zh ? "API 名称须以小写字母开头，只含字母和数字，最多 40 个字符" : "The API name starts with a lowercase letter and has only letters and digits, at most 40";
  else if (taken.includes(d.name)) out.name = zh ? `已有名为 ${d.name} 的视图` : `A view named ${d.name} exists`;
  if (d.columns.length > 50) out.columns = zh ? "最多 50 列" : "At most 50 columns";
  return out;
}
