import { Select } from "antd";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import { useViews } from "@/records/useViews";
import { text } from "./text";

// ViewSelect picks the saved list view the figures start from (全部记录:
// none).

type ViewSelectProps = { object: string; value?: string; onChange: (v?: string) => void };

export function ViewSelect({ object, value, onChange }: ViewSelectProps) {
  const t = useText(text);
  const { label } = useI18n();
  const views = useViews(object);
  return (
    <Select
      aria-label={t("view")}
      className="analytics-view"
      value={value ?? ""}
      loading={views.isPending}
      onChange={(v) => onChange(v || undefined)}
      options={[{ value: "", label: t("allRecords") }, ...(views.data ?? []).map((v) => ({ value: v.name, label: label(v.label, v.name) }))]}
    />
  );
}
