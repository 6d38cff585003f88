import { PlusOutlined } from "@ant-design/icons";
import { Button, Popconfirm, Switch, Table, Tag } from "antd";
import { Link, useNavigate } from "react-router";
import { type StoredDefinition } from "@/admin/definitions";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import type { ObjectMeta } from "@/metadata/types";
import { triggerText } from "./automationText";
import { automationsOf, putAutomation, removeAutomation, type AutomationForm } from "./model";
import { Problems } from "./Problems";
import { logicText, type LogicKey } from "./text";
import { useSaveObject } from "./useSaveObject";

// AutomationList lists an object's automations: open one in the form,
// switch it on or off, delete it.
export function AutomationList({ obj, stored }: { obj: ObjectMeta; stored: StoredDefinition }) {
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
