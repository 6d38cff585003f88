import { PlusOutlined } from "@ant-design/icons";
import { Button, Popconfirm, Switch, Table, Tag } from "antd";
import { Link, useNavigate, useParams } from "react-router";
import { useDefinition, type StoredDefinition } from "@/admin/definitions";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import type { ObjectMeta } from "@/metadata/types";
import { PageMessage } from "@/ui/PageMessage";
import { PageError, PageSkeleton } from "@/ui/PageState";
import { AutomationEditor } from "./AutomationEditor";
import { triggerText } from "./automationText";
import { automationsOf, putAutomation, removeAutomation, type AutomationForm } from "./model";
import { countOf, ObjectOverview, ObjectPicker } from "./ObjectPicker";
import { Problems } from "./Problems";
import { logicText, type LogicKey } from "./text";
import { useSaveObject } from "./useSaveObject";
import "./logic.css";

// The admin section "automations" (/admin/automations/<object>[/<name>]):
// an object's automations as a list, each edited as a form.

function AutomationList({ obj, stored }: { obj: ObjectMeta; stored: StoredDefinition }) {
  const t = useText(logicText);
  const { label, lang } = useI18n();
  const navigate = useNavigate();
  const saver = useSaveObject(stored);
  const all = automationsOf(stored.definition);
  const base = `/admin/automations/${obj.name}`;
  return (
    <div>
      <div className="logic-toolbar">
        <span className="logic-muted">{t("automationsCount", { n: all.length })}</span>
        <span className="logic-spacer" />
        <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate(`${base}/new`)}>
          {t("addAutomation")}
        </Button>
      </div>
      <Problems problems={saver.problems} />
      <Table<AutomationForm>
        rowKey="name"
        size="middle"
        pagination={false}
        scroll={{ x: "max-content" }}
        dataSource={all}
        locale={{ emptyText: t("empty") }}
        columns={[
          {
            title: t("name"),
            dataIndex: "name",
            render: (n: string, a) => (
              <Link to={`${base}/${n}`}>
                {label(a.label, n)} <code className="logic-muted">{n}</code>
              </Link>
            ),
          },
          { title: t("trigger"), key: "trigger", render: (_: unknown, a) => triggerText(obj, a, lang, t(`event.${a.event}` as LogicKey)) },
          { title: t("actionsTitle"), key: "acts", render: (_: unknown, a) => a.actions.map((x, i) => <Tag key={i}>{t(`action.${x.type}` as LogicKey)}</Tag>) },
          {
            title: t("active"),
            dataIndex: "active",
            render: (v: boolean | undefined, a) => (
              <Switch
                size="small"
                aria-label={`${t("active")} ${a.name}`}
                checked={v !== false}
                onChange={(on) => void saver.run(putAutomation(stored.definition, { ...a, active: on ? undefined : false }))}
              />
            ),
          },
          {
            title: t("actions"),
            key: "ops",
            render: (_: unknown, a) => (
              <span className="logic-row-actions">
                <Link to={`${base}/${a.name}`}>{t("edit")}</Link>
                <Popconfirm title={t("deleteConfirm", { name: a.name })} okText={t("delete")} cancelText={t("cancel")} onConfirm={() => void saver.run(removeAutomation(stored.definition, a.name), t("deleted"))}>
                  <Button type="link" danger size="small">
                    {t("delete")}
                  </Button>
                </Popconfirm>
              </span>
            ),
          },
        ]}
      />
    </div>
  );
}

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
      <div className="logic-head">{picker}</div>
      {body}
    </div>
  );
}
