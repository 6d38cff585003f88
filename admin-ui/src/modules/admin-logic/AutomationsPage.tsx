import { Typography } from "antd";
import { useNavigate, useParams } from "react-router";
import { useDefinition } from "@/admin/definitions";
import { useText } from "@/admin/text";
import { useMetadata } from "@/metadata/MetadataProvider";
import { PageMessage } from "@/ui/PageMessage";
import { PageError, PageSkeleton } from "@/ui/PageState";
import { ObjectOverview } from "./ObjectOverview";
import { AutomationList } from "./AutomationList";
import { AutomationEditor } from "./AutomationEditor";
import { countOf, ObjectPicker } from "./ObjectPicker";
import { logicText } from "./text";
import "./logic.css";

// The admin section "automations" (/admin/automations/<object>[/<name>]):
// an object's automations as a list, each edited as a form.

export function AutomationsPage() {
  const t = useText(logicText);
  const md = useMetadata();
  const navigate = useNavigate();
  const [object, name] = (useParams()["*"] ?? "").split("/").slice(1);
  const obj = object ? md.byName[object] : undefined;
  const def = useDefinition(obj?.name);
  const picker = <ObjectPicker value={object} onChange={(n) => navigate(`/admin/automations/${n}`)} />;
  if (!object) {
    return (
      <div className="logic-page">
        <Typography.Title level={4}>{t("pageAutomations")}</Typography.Title>
        <Typography.Title level={4}>{t("pageAutomations")}</Typography.Title>
      <div className="logic-head">{picker}</div>
        <ObjectOverview
          hint={t("pickObjectAutomations")}
          to={(n) => `/admin/automations/${n}`}
          columns={[{ key: "automations", title: t("automationsTitle"), count: (o) => countOf(o, "x-crm-automations") }]}
        />
      </div>
    );
  }
  if (!obj) return <PageMessage kind="info" title={t("pickObject")} detail={object} action={picker} />;
  let body;
  if (def.isPending) body = <PageSkeleton />;
  else if (def.isError) body = <PageError error={def.error} onRetry={() => void def.refetch()} />;
  else if (!def.data) body = <PageMessage kind="info" title={t("pickObject")} detail={object} />;
  else if (name) body = <AutomationEditor key={name} obj={obj} stored={def.data} name={name} />;
  else body = <AutomationList obj={obj} stored={def.data} />;
  return (
    <div className="logic-page">
      <Typography.Title level={4}>{t("pageAutomations")}</Typography.Title>
      <div className="logic-head">{picker}</div>
      {body}
    </div>
  );
}
