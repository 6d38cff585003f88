import { FileTextOutlined, PlusOutlined, RightOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Input, Modal, Spin } from "antd";
import { useEffect, useMemo, useState, type KeyboardEvent } from "react";
import { useNavigate } from "react-router";
import { gql } from "@/api/client";
import { recordTitle } from "@/field-types/format";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import type { Metadata } from "@/metadata/types";
import { useDebounced } from "@/ui/useDebounced";

// The command menu (Ctrl/⌘+K): go to an object, create a record, or open
// a record found by its name across the objects (five per object).

type Item = { key: string; icon: React.ReactNode; text: string; hint?: string; to: string };

async function searchRecords(md: Metadata, text: string, signal: AbortSignal): Promise<{ object: string; id: string; title: string }[]> {
  const objs = md.objects.filter((o) => o.titleField && o.byName[o.titleField]?.filter?.ops.includes("contains")).slice(0, 12);
  if (objs.length === 0) return [];
  const parts = objs.map(
    (o, i) => `r${i}: ${o.api.list}(first: 5, filter: {${o.titleField}: {contains: $q}}) { nodes { id ${o.titleField} } }`,
  );
  const data = await gql<Record<string, { nodes: { id: string; [k: string]: unknown }[] }>>({
    query: `query CommandSearch($q: String!) { ${parts.join("\n")} }`,
    variables: { q: text },
    signal,
  });
  return objs.flatMap((o, i) => (data[`r${i}`]?.nodes ?? []).map((n) => ({ object: o.name, id: n.id, title: recordTitle(n, o.titleField) })));
}

type CommandMenuProps = { open: boolean; onClose: () => void };

export function CommandMenu({ open, onClose }: CommandMenuProps) {
  const md = useMetadata();
  const { t, label } = useI18n();
  const navigate = useNavigate();
  const [text, setText] = useState("");
  const [active, setActive] = useState(0);
  const q = useDebounced(text.trim(), 300);

  useEffect(() => {
    if (open) {
      setText("");
      setActive(0);
    }
  }, [open]);

  const found = useQuery({
    queryKey: ["command", q],
    queryFn: ({ signal }) => searchRecords(md, q, signal),
    enabled: open && q.length > 0,
    staleTime: 30_000,
  });

  const items = useMemo<Item[]>(() => {
    const lower = text.trim().toLowerCase();
    const out: Item[] = [];
    for (const o of md.objects) {
      const name = label(o.label, o.name);
      if (!lower || name.toLowerCase().includes(lower) || o.name.toLowerCase().includes(lower)) {
        out.push({ key: `go:${o.name}`, icon: <RightOutlined />, text: t("shell.goTo", { name }), to: `/o/${o.name}` });
        if (o.access.create && lower) out.push({ key: `new:${o.name}`, icon: <PlusOutlined />, text: t("shell.createIn", { name }), to: `/o/${o.name}/new` });
      }
    }
    for (const r of found.data ?? []) {
      out.push({
        key: `rec:${r.object}:${r.id}`,
        icon: <FileTextOutlined />,
        text: r.title,
        hint: label(md.byName[r.object]?.label, r.object),
        to: `/o/${r.object}/${r.id}`,
      });
    }
    return out.slice(0, 40);
  }, [md, text, found.data, t, label]);

  const go = (item: Item | undefined) => {
    if (!item) return;
    onClose();
    navigate(item.to);
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === "ArrowDown") {
      e.preventDefault();
      setActive((a) => Math.min(a + 1, items.length - 1));
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      setActive((a) => Math.max(a - 1, 0));
    } else if (e.key === "Enter") {
      e.preventDefault();
      go(items[active]);
    }
  };

  return (
    <Modal open={open} onCancel={onClose} footer={null} closable={false} title={null} className="command-menu" destroyOnHidden>
      <Input
        autoFocus
        size="large"
        placeholder={t("shell.searchPlaceholder")}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setActive(0);
        }}
        onKeyDown={onKey}
        aria-label={t("shell.search")}
        suffix={found.isFetching ? <Spin size="small" /> : null}
      />
      <ul className="command-list" role="listbox">
        {items.map((item, i) => (
          <li
            key={item.key}
            role="option"
            aria-selected={i === active}
            className={i === active ? "command-item active" : "command-item"}
            onMouseEnter={() => setActive(i)}
            onClick={() => go(item)}
          >
            {item.icon}
            <span className="command-text">{item.text}</span>
            {item.hint ? <span className="command-hint">{item.hint}</span> : null}
          </li>
        ))}
      </ul>
    </Modal>
  );
}
