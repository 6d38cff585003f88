import { useMemo } from "react";
import { useI18n } from "@/i18n/I18nProvider";
import { useText } from "@/admin/text";
import { useRoles } from "./api";
import { text } from "./text";

// useRoleOptions gives the roles a user or key may have, administrator
// first, and the label of a role by name.
export function useRoleOptions() {
  const roles = useRoles();
  const { label } = useI18n();
  const t = useText(text);
  return useMemo(() => {
    const list = roles.data ?? [];
    const roleLabel = (name: string | null | undefined): string => {
      if (!name || name === "admin") return t("roleAdmin");
      const r = list.find((x) => x.name === name);
      return r ? label(r.label, r.name) : name;
    };
    const options = [{ value: "admin", label: t("roleAdmin") }, ...list.map((r) => ({ value: r.name, label: `${label(r.label, r.name)}（${r.name}）` }))];
    return { options, roleLabel, loading: roles.isLoading, error: roles.error };
  }, [roles.data, roles.isLoading, roles.error, label, t]);
}
