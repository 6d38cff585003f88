import { Tabs } from "antd";
import { useNavigate } from "react-router";
import { useText } from "@/admin/text";
import { FormulasTab } from "./FormulasTab";
import { ObjectSection } from "./ObjectSection";
import { countOf } from "./ObjectPicker";
import { RulesTab } from "./RulesTab";
import { ScriptEditor } from "./ScriptEditor";
import { ScriptsTab } from "./ScriptsTab";
import { logicText } from "./text";

// The admin section "logic" (/admin/logic/<object>[/formulas|/scripts
// [/<name>]]): an object's validation rules, formulas and scripts. This
// module (admin-logic) also owns the automations and deliveries sections.

export function LogicPage() {
  const t = useText(logicText);
  const navigate = useNavigate();
  return (
    <ObjectSection
      title={t("pageLogic")}
      base="/admin/logic"
      overview={{
        hint: t("pickObjectHint"),
        columns: [
          { key: "rules", title: t("tabRules"), count: (o) => countOf(o, "x-crm-validations") },
          { key: "formulas", title: t("tabFormulas"), count: (o) => Object.values((o.schema.properties ?? {}) as Record<string, Record<string, unknown>>).filter((p) => p["x-crm-formula"]).length },
          { key: "scripts", title: t("tabScripts"), count: (o) => countOf(o, "x-crm-scripts") },
        ],
      }}
      render={(obj, stored, [tab = "rules", scriptName]) =>
        tab === "scripts" && scriptName ? (
          <ScriptEditor key={scriptName} obj={obj} stored={stored} name={scriptName} />
        ) : (
          <Tabs
            activeKey={tab}
            onChange={(k) => navigate(k === "rules" ? `/admin/logic/${obj.name}` : `/admin/logic/${obj.name}/${k}`)}
            items={[
              { key: "rules", label: t("tabRules"), children: <RulesTab obj={obj} stored={stored} /> },
              { key: "formulas", label: t("tabFormulas"), children: <FormulasTab obj={obj} stored={stored} /> },
              { key: "scripts", label: t("tabScripts"), children: <ScriptsTab obj={obj} stored={stored} /> },
            ]}
          />
        )
      }
    />
  );
}
