import { Select } from "antd";
import { useState } from "react";
import { useI18n } from "@/i18n/I18nProvider";
import { useDebounced } from "@/ui/useDebounced";
import { useUsers } from "./useUsers";

// OwnerSelect picks the new owner of records (user:NAME) from the user
// directory, searching on the server as the user types.

type OwnerSelectProps = { value?: string; onChange: (owner: string) => void };

export function OwnerSelect({ value, onChange }: OwnerSelectProps) {
  const { t } = useI18n();
  const [search, setSearch] = useState("");
  const { people, loading } = useUsers(useDebounced(search, 300));
  return (
    <Select
      aria-label={t("list.transferTo")}
      placeholder={t("list.transferTo")}
      style={{ width: "100%" }}
      showSearch={{ filterOption: false, onSearch: setSearch }}
      loading={loading}
      value={value}
      onChange={onChange}
      options={people.map((p) => ({ value: `user:${p.username}`, label: p.displayName ? `${p.displayName}（${p.username}）` : p.username }))}
    />
  );
}
