import { Select } from "antd";
import { useMemo, useState } from "react";
import { useI18n } from "@/i18n/I18nProvider";
import { useDebounced } from "@/ui/useDebounced";
import { ownerName, useUsers, usernameOf, type Person } from "./useUsers";

// UserSelect picks one user (or several, for filters) of the tenant's
// active users: the directory searched on the server as the user types
// (300 ms after typing stops), each shown by display name with the user
// name and team beside it. Values are "user:NAME", the form user fields
// and owners hold. A chosen user stays shown by name while a search
// lists others. onChange also gives the display names of the chosen
// users (for filter tags). With me, the first option is "$user", which
// the server reads as the signed-in user (a filter's viewer, a default's
// creator), labelled me.

type UserSelectProps = {
  value: string | string[] | null | undefined;
  onChange: (v: string | string[] | null, names: Record<string, string>) => void;
  multiple?: boolean;
  allowClear?: boolean;
  id?: string;
  disabled?: boolean;
  status?: "error";
  autoFocus?: boolean;
  onBlur?: () => void;
  ariaLabel?: string;
  placeholder?: string;
  me?: string;
};

const secondary = (p: Person) => [p.displayName && p.displayName !== p.username ? p.username : "", p.team ?? ""].filter(Boolean).join(" · ");

// currentUser is the value that stands for the signed-in user.
export const currentUser = "$user";

export function UserSelect({ value, onChange, multiple, allowClear = true, id, disabled, status, autoFocus, onBlur, ariaLabel, placeholder, me }: UserSelectProps) {
  const { lang } = useI18n();
  const [search, setSearch] = useState("");
  const q = useDebounced(search.trim(), 300);
  const all = useUsers();
  const found = useUsers(q, q !== "");
  const chosen = useMemo(() => (value == null ? [] : Array.isArray(value) ? value : [value]).filter((v) => v !== ""), [value]);

  const options = useMemo(() => {
    const listed = q !== "" ? found.people : all.people;
    const seen = new Set<string>();
    const out: { value: string; label: string; hint: string }[] = [];
    if (me) {
      seen.add(currentUser);
      out.push({ value: currentUser, label: me, hint: "" });
    }
    // The chosen users first, named from whatever list knows them.
    for (const v of chosen) {
      if (seen.has(v)) continue;
      const p = [...listed, ...all.people].find((x) => x.username === usernameOf(v));
      seen.add(v);
      out.push({ value: v, label: p ? p.displayName || p.username : ownerName(v, []), hint: p ? secondary(p) : "" });
    }
    for (const p of listed) {
      const v = `user:${p.username}`;
      if (seen.has(v)) continue;
      seen.add(v);
      out.push({ value: v, label: p.displayName || p.username, hint: secondary(p) });
    }
    return out;
  }, [chosen, q, found.people, all.people, me]);

  const change = (v: string | string[] | null | undefined) => {
    const picked = v == null ? [] : Array.isArray(v) ? v : [v];
    const names = Object.fromEntries(picked.map((x) => [x, options.find((o) => o.value === x)?.label ?? usernameOf(x)]));
    onChange(multiple ? picked : (picked[0] ?? null), names);
    setSearch("");
  };

  return (
    <Select
      id={id}
      aria-label={ariaLabel}
      mode={multiple ? "multiple" : undefined}
      showSearch={{ filterOption: false, onSearch: setSearch, searchValue: search }}
      allowClear={allowClear}
      disabled={disabled}
      status={status}
      autoFocus={autoFocus}
      onBlur={onBlur}
      placeholder={placeholder ?? (lang === "en" ? "Search people by name" : "输入姓名或用户名搜索")}
      loading={all.loading || found.loading}
      value={multiple ? chosen : (chosen[0] ?? null)}
      onChange={change}
      notFoundContent={found.loading ? undefined : lang === "en" ? "No active user matches" : "没有匹配的在职用户"}
      options={options.map((o) => ({ value: o.value, label: o.label, title: o.hint ? `${o.label} · ${o.hint}` : o.label }))}
      optionRender={(o) => {
        const hint = options.find((x) => x.value === o.value)?.hint;
        return (
          <span className="lookup-option">
            <span>{o.label}</span>
            {hint ? <span className="lookup-hint">{hint}</span> : null}
          </span>
        );
      }}
      style={{ width: "100%", minWidth: 200 }}
    />
  );
}
