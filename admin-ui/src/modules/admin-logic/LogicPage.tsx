import { Tabs, Typography } from "antd";
import { useNavigate, useParams } from "react-router";
import { useDefinition } from "@/admin/definitions";
import { useText } from "@/admin/text";
import { useMetadata } from "@/metadata/MetadataProvider";
import { PageMessage } from "@/ui/PageMessage";
import { PageError, PageSkeleton } from "@/ui/PageState";
import { ObjectOverview } from "./ObjectOverview";
import { FormulasTab } from "./FormulasTab";
import { countOf, ObjectPicker } from "./ObjectPicker";
import { RulesTab } from "./RulesTab";
import { ScriptEditor } from "./ScriptEditor";
import { ScriptsTab } from "./ScriptsTab";
import { logicText } from "./text";
import "./logic.css";

// The admin section "logic" (/admin/logic/<object>[/formulas|/scripts
// [/<name>]]): an object's validation rules, formulas and scripts. This
// module (admin-logic) also owns the automations and deliveries sections.

export function LogicPage() {
  const t = useText(logicText);
  const md = useMetadata();
  const navigate = useNavigate();
  const parts = (useParams()["*"] ?? "").split("/").slice(1);
  const [object, tab = "rules", scriptName] = parts;
  const obj = object ? md.byName[object] : undefined;
  const def = useDefinition(obj?.name);

  const picker = <ObjectPicker value={object} onChange={(n) => navigate(`/admin/logic/${n}`)} />;
  if (!object) {
    return (
      <div className="logic-page">
        <Typography.Title level={4}>{t("pageLogic")}</Typography.Title>
        <Typography.Title level={4}>{t("pageLogic")}</Typography.Title>
      <div className="logic-head">{picker}</div>
        <ObjectOverview
          hint={t("pickObjectHint")}
          to={(n) => `/admin/logic/${n}`}
          columns={[
            { key: "rules", title: t("tabRules"), count: (o) => countOf(o, "x-crm-validations") },
            { key: "formulas", title: t("tabFormulas"), count: (o) => Object.values((o.schema.properties ?? {}) as Record<string, Record<string, unknown>>).filter((p) => p["x-crm-formula"]).length },
            { key: "scripts", title: t("tabScripts"), count: (o) => countOf(o, "x-crm-scripts") },
          ]}
        />
      </div>
    );
  }
  if (!obj) return <PageMessage kind="info" title={t("pickObject")} detail={object} action={picker} />;
  let body;
  if (def.isPending) body = <PageSkeleton />;
  else if (def.isError) body = <PageError error={def.error} onRetry={() => void def.refetch()} />;
  else if (!def.data) body = <PageMessage kind="info" title={t("pickObject")} detail={object} />;
  else if (tab === "scripts" && scriptName) body = <ScriptEditor key={scriptName} obj={obj} stored={def.data} name={scriptName} />;
  else
    body = (
      <Tabs
        activeKey={tab}
        onChange={(k) => navigate(k === "rules" ? `/admin/logic/${obj.name}` : `/admin/logic/${obj.name}/${k}`)}
        items={[
          { key: "rules", label: t("tabRules"), children: <RulesTab obj={obj} stored={def.data} /> },
          { key: "formulas", label: t("tabFormulas"), children: <FormulasTab obj={obj} stored={def.data} /> },
          { key: "scripts", label: t("tabScripts"), children: <ScriptsTab obj={obj} stored={def.data} /> },
        ]}
      />
    );
  return (
    <div className="logic-page">
      <Typography.Title level={4}>{t("pageLogic")}</Typography.Title>
      <div className="logic-head">{picker}</div>
      {body}
    </div>
  );
}
