import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Input, Popconfirm, Radio, Select, Space } from "antd";
import { useMemo, useState } from "react";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import type { ObjectMeta } from "@/metadata/types";
import { useFeedback } from "@/ui/useFeedback";
import { deleteImportMapping, importMappings, saveImportMapping, type Upload } from "./api";
import {
  applySaved,
  importArgs,
  lookupColumns,
  matchOptions,
  problemsOf,
  savedColumns,
  setColumn,
  setMode,
  targetOptions,
  type MappingState,
  type Mode,
} from "./mapping";
import { useImportText } from "./text";

type MappingStepProps = {
  obj: ObjectMeta;
  upload: Upload;
  state: MappingState;
  onChange: (s: MappingState) => void;
  onBack: () => void;
  onNext: () => void;
  // sheet reads another sheet of a workbook (onChoose), telling while it
  // reads and why it could not.
  sheet?: { onChoose?: (sheet: string) => void; reading: boolean; error?: string };
};

// MappingStep shows each column of the file with its first values and the
// field it goes to, the mode and its key, how lookups are found, and the
// saved mappings (choose, save as, delete).
export function MappingStep({ obj, upload, state, onChange, onBack, onNext, sheet }: MappingStepProps) {
  const tx = useImportText();
  const md = useMetadata();
  const { lang, label } = useI18n();
  const { message } = useFeedback();
  const qc = useQueryClient();
  const options = useMemo(() => targetOptions(obj, lang), [obj, lang]);
  const mappings = useQuery({ queryKey: ["importMappings", obj.name], queryFn: ({ signal }) => importMappings(obj.name, signal) });
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const problems = problemsOf(state);
  const chosen = mappings.data?.find((m) => m.id === state.mapping);

  const save = async () => {
    setBusy(true);
    try {
      const m = await saveImportMapping(obj.name, name.trim(), savedColumns(upload.header, state), importArgs(upload.id, obj.name, state));
      message.success(tx("mappingSaved"));
      setName("");
      await qc.invalidateQueries({ queryKey: ["importMappings", obj.name] });
      if (m?.id) onChange({ ...state, mapping: m.id });
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    if (!chosen) return;
    try {
      await deleteImportMapping(chosen.id);
      message.success(tx("mappingDeleted"));
      onChange({ ...state, mapping: undefined });
      await qc.invalidateQueries({ queryKey: ["importMappings", obj.name] });
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e));
    }
  };

  const first = (i: number) =>
    upload.firstRows
      .slice(0, 3)
      .map((r) => r.cells[i] ?? "")
      .filter((v) => v !== "")
      .join("、");

  return (
    <div className="import-mapping">
      <p className="muted">
        {tx("uploaded", {
          name: upload.fileName,
          rows: upload.rows.toLocaleString(lang === "en" ? "en" : "zh-CN"),
          columns: upload.header.length,
          format: upload.format === "xlsx" ? `Excel${upload.sheet ? ` · ${upload.sheet}` : ""}` : "CSV",
          encoding: upload.encoding ? ` · ${upload.encoding}` : "",
        })}
      </p>
      {upload.sheets && upload.sheets.length > 1 && sheet?.onChoose ? (
        <label className="import-sheet">
          <span>{tx("sheet")}</span>
          <Select
            aria-label={tx("sheet")}
            value={upload.sheet}
            loading={sheet.reading}
            disabled={sheet.reading}
            onChange={(v: string) => sheet.onChoose?.(v)}
            options={upload.sheets.map((s) => ({ value: s, label: s }))}
          />
          <span className="muted">{tx("sheetHint")}</span>
        </label>
      ) : null}
      {sheet?.error ? <Alert type="error" showIcon role="alert" message={sheet.error} /> : null}

      <div className="import-saved">
        <Select
          aria-label={tx("mappings")}
          className="import-saved-select"
          placeholder={tx("mappings")}
          loading={mappings.isLoading}
          value={state.mapping ?? ""}
          onChange={(id: string) => {
            const m = mappings.data?.find((x) => x.id === id);
            onChange(m ? applySaved(obj, upload.header, m) : { ...state, mapping: undefined });
          }}
          options={[{ value: "", label: tx("mappingsNone") }, ...(mappings.data ?? []).map((m) => ({ value: m.id, label: m.name }))]}
        />
        {chosen ? (
          <Popconfirm title={`${tx("deleteMapping")}「${chosen.name}」?`} onConfirm={remove}>
            <Button danger>{tx("deleteMapping")}</Button>
          </Popconfirm>
        ) : null}
        <Space.Compact>
          <Input aria-label={tx("mappingName")} placeholder={tx("mappingName")} value={name} onChange={(e) => setName(e.target.value)} maxLength={80} />
          <Button onClick={save} loading={busy} disabled={!name.trim()}>
            {tx("saveMapping")}
          </Button>
        </Space.Compact>
      </div>
      {chosen?.stale?.length ? <Alert type="warning" showIcon message={tx("stale", { what: chosen.stale.join("、") })} /> : null}

      <div className="import-map-table" role="table" aria-label={tx("stepMap")}>
        <div className="import-map-row import-map-head" role="row">
          <span role="columnheader">{tx("column")}</span>
          <span role="columnheader">{tx("firstValues")}</span>
          <span role="columnheader">{tx("target")}</span>
        </div>
        {upload.header.map((h, i) => (
          <div className="import-map-row" role="row" key={i} data-column={h}>
            <span role="cell" className="import-map-header">
              {h || `#${i + 1}`}
            </span>
            <span role="cell" className="import-map-values muted">
              {first(i) || "--"}
            </span>
            <span role="cell">
              <Select
                showSearch
                optionFilterProp="label"
                aria-label={`${tx("target")}：${h || `#${i + 1}`}`}
                className="import-map-select"
                value={state.columns[i] ?? ""}
                options={options}
                onChange={(v: string) => onChange(setColumn(state, i, v))}
              />
            </span>
          </div>
        ))}
      </div>

      <div className="import-options">
        <label className="import-option">
          <span>{tx("mode")}</span>
          <Radio.Group
            value={state.mode}
            onChange={(e) => onChange(setMode(state, e.target.value as Mode))}
            optionType="button"
            options={(["create", "update", "upsert"] as const).map((m) => ({ value: m, label: tx(m) }))}
          />
        </label>
        {state.mode !== "create" ? (
          <label className="import-option">
            <span>{tx("matchBy")}</span>
            <Select
              aria-label={tx("matchBy")}
              className="import-option-select"
              value={state.matchBy}
              onChange={(v: string) => onChange({ ...state, matchBy: v, mapping: undefined })}
              options={[{ value: "", label: tx("matchByNone") }, ...matchOptions(obj, state).map((f) => ({ value: f.name, label: label(f.label, f.name) }))]}
            />
          </label>
        ) : null}
        {lookupColumns(md, obj, state).map(({ field, by }) => (
          <label className="import-option" key={field.name}>
            <span>{tx("lookupBy", { field: label(field.label, field.name) })}</span>
            <Select
              aria-label={tx("lookupBy", { field: label(field.label, field.name) })}
              className="import-option-select"
              value={state.lookupBy[field.name] ?? ""}
              onChange={(v: string) => onChange({ ...state, lookupBy: { ...state.lookupBy, [field.name]: v }, mapping: undefined })}
              options={[{ value: "", label: tx("lookupByName") }, ...by.map((f) => ({ value: f.name, label: label(f.label, f.name) }))]}
            />
          </label>
        ))}
      </div>

      {problems.length ? (
        <Alert type="info" showIcon message={problems.map((p) => tx(p)).join("；")} />
      ) : null}
      <div className="import-actions">
        <Button onClick={onBack}>{tx("otherFile")}</Button>
        <Button type="primary" disabled={problems.length > 0} onClick={onNext}>
          {tx("next")}
        </Button>
      </div>
    </div>
  );
}
