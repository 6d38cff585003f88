import { useQuery } from "@tanstack/react-query";
import { Select, Spin } from "antd";
import { useMemo, useState } from "react";
import { gql } from "@/api/client";
import type { ObjectMeta } from "@/metadata/types";
import { useDebounced } from "@/ui/useDebounced";
import { recordTitle } from "./format";
import { useText } from "@/admin/text";
import { formWords } from "@/forms/text";

// LookupSelect picks records of a target object by searching its title
// field on the server (300 ms after typing stops, 20 at a time): lookups
// never load a whole table.

export type LookupValue = { id: string; title: string };

type LookupSelectProps = {
  target: ObjectMeta;
  value: LookupValue[];
  onChange: (v: LookupValue[]) => void;
  multiple?: boolean;
  disabled?: boolean;
  id?: string;
  placeholder?: string;
  onBlur?: () => void;
  status?: "error";
};

function hintField(target: ObjectMeta): string | undefined {
  return target.fields.find((f) => f.name !== target.titleField && f.kind === "string" && !f.masked && f.type !== "textarea" && f.type !== "richtext")?.name;
}

export function LookupSelect({ target, value, onChange, multiple, disabled, id, placeholder, onBlur, status }: LookupSelectProps) {
  const fw = useText(formWords);
  const [text, setText] = useState("");
  const [open, setOpen] = useState(false);
  const q = useDebounced(text.trim(), 300);
  const title = target.titleField;
  const hint = hintField(target);
  const searchable = title ? (target.byName[title]?.filter?.ops.includes("contains") ?? false) : false;

  const found = useQuery({
    queryKey: ["lookup", target.name, q],
    enabled: open,
    staleTime: 30_000,
    queryFn: async ({ signal }) => {
      const sel = ["id", title, hint].filter(Boolean).join(" ");
      // A variable is declared only when used (an unused one is an error).
      const search = q !== "" && searchable;
      const d = await gql<{ list: { nodes: Record<string, unknown>[] } }>({
        query: search
          ? `query LookupSearch($q: String!) { list: ${target.api.list}(first: 20, filter: {${title}: {contains: $q}}, orderBy: [{updatedAt: DESC}]) { nodes { ${sel} } } }`
          : `query LookupRecent { list: ${target.api.list}(first: 20, orderBy: [{updatedAt: DESC}]) { nodes { ${sel} } } }`,
        variables: search ? { q } : {},
        signal,
      });
      return d.list.nodes;
    },
  });

  const options = useMemo(() => {
    const seen = new Set<string>();
    const out: { value: string; label: string; hint?: string }[] = [];
    for (const v of value) {
      seen.add(v.id);
      out.push({ value: v.id, label: v.title });
    }
    for (const n of found.data ?? []) {
      const nid = String(n.id);
      if (seen.has(nid)) continue;
      seen.add(nid);
      out.push({ value: nid, label: recordTitle(n as { id: string }, title), hint: hint && n[hint] ? String(n[hint]) : undefined });
    }
    return out;
  }, [value, found.data, title, hint]);

  const titles = new Map(options.map((o) => [o.value, o.label]));
  const change = (v: string | string[] | null | undefined) => {
    const ids = v == null ? [] : Array.isArray(v) ? v : [v];
    onChange(ids.map((i) => ({ id: i, title: titles.get(i) ?? i })));
  };

  return (
    <Select
      id={id}
      showSearch={{ filterOption: false, onSearch: setText }}
      mode={multiple ? "multiple" : undefined}
      allowClear
      disabled={disabled}
      status={status}
      placeholder={placeholder ?? fw("lookupPlaceholder")}
      value={multiple ? value.map((v) => v.id) : (value[0]?.id ?? null)}
      onChange={change}
      onOpenChange={setOpen}
      onBlur={onBlur}
      notFoundContent={found.isFetching ? <Spin size="small" /> : undefined}
      options={options.map((o) => ({
        value: o.value,
        label: o.label,
        title: o.hint ? `${o.label} · ${o.hint}` : o.label,
      }))}
      optionRender={(o) => {
        const hintText = options.find((x) => x.value === o.value)?.hint;
        return (
          <span className="lookup-option">
            <span>{o.label}</span>
            {hintText ? <span className="lookup-hint">{hintText}</span> : null}
          </span>
        );
      }}
      style={{ width: "100%" }}
    />
  );
}
