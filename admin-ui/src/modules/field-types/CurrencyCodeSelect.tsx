import { Select } from "antd";
import { useMemo } from "react";
import { currencyChoices, currencyName } from "@/admin-tenant/settings";
import { useI18n } from "@/i18n/I18nProvider";
import { useText } from "@/admin/text";
import { formWords } from "@/forms/text";

// CurrencyCodeSelect picks the ISO 4217 code of a multi-currency record
// (docs/money.md): the currencies Chinese businesses use most first, then
// every code the browser knows, searchable by code and name. The server
// checks the code; its refusal shows on the field like any other.

type CurrencyCodeSelectProps = {
  id?: string;
  value: string | null;
  onChange: (v: string | null) => void;
  onBlur?: () => void;
  disabled?: boolean;
  status?: "error";
  allowClear?: boolean;
};

export function CurrencyCodeSelect({ id, value, onChange, onBlur, disabled, status, allowClear }: CurrencyCodeSelectProps) {
  const { lang } = useI18n();
  const fw = useText(formWords);
  const options = useMemo(
    () =>
      currencyChoices(value ?? undefined).map((code) => {
        const name = currencyName(code, lang);
        return { value: code, label: name ? `${code} · ${name}` : code };
      }),
    [lang, value],
  );
  return (
    <Select
      id={id}
      value={value ?? undefined}
      onChange={(v: string | undefined) => onChange(v ?? null)}
      onBlur={onBlur}
      disabled={disabled}
      status={status}
      allowClear={allowClear}
      placeholder={fw("selectPlaceholder")}
      options={options}
      showSearch={{ optionFilterProp: "label" }}
      style={{ width: "100%" }}
      data-currency-select=""
    />
  );
}
