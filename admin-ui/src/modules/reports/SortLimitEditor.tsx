import { InputNumber, Select } from "antd";
import type { Text } from "@/admin/text";
import type { SortChoice } from "./definition";
import type { ReportKey } from "./text";

// SortLimitEditor sorts the groups by one of the keys or measures, up or
// down, and limits how many are shown.

type SortLimitEditorProps = {
  keys: string[];
  measures: string[];
  sort: SortChoice | null;
  limit: number | null;
  onChange: (sort: SortChoice | null, limit: number | null) => void;
  t: Text<ReportKey>;
};

export function SortLimitEditor({ keys, measures, sort, limit, onChange, t }: SortLimitEditorProps) {
  const current = sort ? `${sort.by}:${sort.index}` : "";
  const options = [
    { value: "", label: t("sortDefault") },
    ...keys.map((k, i) => ({ value: `key:${i}`, label: k })),
    ...measures.map((m, i) => ({ value: `measure:${i}`, label: m })),
  ];
  return (
    <>
      <div className="builder-line">
        <Select
          aria-label={t("sortBy")}
          value={current}
          onChange={(v: string) => {
            if (!v) return onChange(null, limit);
            const [by, i] = v.split(":");
            onChange({ by: by as SortChoice["by"], index: Number(i), desc: sort?.desc ?? by === "measure" }, limit);
          }}
          options={options}
        />
        {sort ? (
          <Select
            aria-label={t("desc")}
            value={sort.desc ? "desc" : "asc"}
            onChange={(d: string) => onChange({ ...sort, desc: d === "desc" }, limit)}
            options={[
              { value: "desc", label: t("desc") },
              { value: "asc", label: t("asc") },
            ]}
            style={{ flex: "0 0 90px" }}
          />
        ) : null}
      </div>
      <div className="builder-line">
        <span>{t("limit")}</span>
        <InputNumber
          aria-label={t("limit")}
          min={1}
          max={1000}
          precision={0}
          value={limit}
          placeholder={t("limitPlaceholder")}
          onChange={(v) => onChange(sort, typeof v === "number" && v > 0 ? v : null)}
          style={{ flex: "1 1 140px" }}
        />
      </div>
    </>
  );
}
