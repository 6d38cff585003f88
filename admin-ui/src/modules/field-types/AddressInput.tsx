import { Cascader, Input } from "antd";
import { useEffect, useState } from "react";
import type { AddressValue } from "./format";
import { addressOfPath, loadRegions, regionPath, type Region } from "./regions";
import { useText } from "@/admin/text";
import { formWords } from "@/forms/text";

// AddressInput: province / city / district from a cascader over the
// national division data (sending their GB/T 2260 codes with the names),
// then the street and postal code.

type AddressInputProps = {
  id?: string;
  value: AddressValue | null | undefined;
  onChange: (v: AddressValue | null) => void;
  onBlur?: () => void;
  disabled?: boolean;
  status?: "error";
};

function clean(v: AddressValue): AddressValue | null {
  const out: AddressValue = {};
  for (const k of ["country", "province", "city", "district", "street", "postalCode", "provinceCode", "cityCode", "districtCode"] as const) {
    const s = v[k];
    if (s) out[k] = s;
  }
  return Object.keys(out).length ? out : null;
}

export function AddressInput({ id, value, onChange, onBlur, disabled, status }: AddressInputProps) {
  const fw = useText(formWords);
  const [regions, setRegions] = useState<Region[]>([]);
  useEffect(() => {
    let live = true;
    void loadRegions().then((r) => live && setRegions(r));
    return () => {
      live = false;
    };
  }, []);
  const v = value ?? {};
  const path = regionPath(regions, v);
  const set = (patch: AddressValue) => onChange(clean({ ...v, ...patch }));
  return (
    <div className="address-input" onBlur={onBlur}>
      <Cascader
        id={id}
        aria-label={fw("addressPlaceholder")}
        options={regions}
        value={path}
        disabled={disabled}
        status={status}
        changeOnSelect
        showSearch
        placeholder={fw("addressPlaceholder")}
        onChange={(_, selected) => {
          const chosen = (selected ?? []) as Region[];
          set(addressOfPath(chosen, v.country));
        }}
        style={{ width: "100%" }}
      />
      <div className="address-line">
        <Input
          aria-label={fw("street")}
          placeholder={fw("street")}
          value={v.street ?? ""}
          disabled={disabled}
          maxLength={200}
          onChange={(e) => set({ street: e.target.value })}
        />
        <Input
          aria-label={fw("postalCode")}
          placeholder={fw("postalCode")}
          value={v.postalCode ?? ""}
          disabled={disabled}
          inputMode="numeric"
          maxLength={6}
          className="postal-code"
          onChange={(e) => set({ postalCode: e.target.value.replace(/\D/g, "") })}
        />
      </div>
    </div>
  );
}
