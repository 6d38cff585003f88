import { Select } from "antd";
import { useState } from "react";
import { useDebounced } from "@/ui/useDebounced";
import { useUsers } from "@/users/useUsers";

// AssigneeSelect picks a task's assignee (a user name) from the user
// directory, searching on the server as the user types.

type AssigneeSelectProps = { id?: string; value?: string; onChange?: (username: string) => void; placeholder: string };

export function AssigneeSelect({ id, value, onChange, placeholder }: AssigneeSelectProps) {
  const [search, setSearch] = useState("");
  const { people, loading } = useUsers(useDebounced(search, 300));
  return (
    <Select
      id={id}
      placeholder={placeholder}
      style={{ width: "100%" }}
      showSearch={{ filterOption: false, onSearch: setSearch }}
      loading={loading}
      value={value}
      onChange={onChange}
      allowClear
      options={people.map((p) => ({ value: p.username, label: p.displayName && p.displayName !== p.username ? `${p.displayName}（${p.username}）` : p.username }))}
    />
  );
}
