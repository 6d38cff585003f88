import { PlusOutlined } from "@ant-design/icons";
import { Button, Popconfirm, Switch, Table, Tag } from "antd";
import { Link, useNavigate } from "react-router";
import type { StoredDefinition } from "@/admin/definitions";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import type { ObjectMeta } from "@/metadata/types";
import { putScript, removeScript, scriptsOf, type Script } from "./model";
import { Problems } from "./Problems";
import { logicText, type LogicKey } from "./text";
import { useSaveObject } from "./useSaveObject";

// ScriptsTab lists an object's scripts: open one in the editor, switch it
// on or off, delete it.

type ScriptsTabProps = { obj: ObjectMeta; stored: StoredDefinition };

export function ScriptsTab({ obj, stored }: ScriptsTabProps) {
  const t = useText(logicText);
  const { label } = useI18n();
  const navigate = useNavigate();
  const saver = useSaveObject(stored);
  const scripts = scriptsOf(stored.definition);
  const base = `/admin/logic/${obj.name}/scripts`;
  return (
    <div>
      <div className="logic-toolbar">
        <span className="logic-muted">{t("scriptsCount", { n: scripts.length })}</span>
        <span className="logic-spacer" />
        <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate(`${base}/new`)}>
          {t("addScript")}
        </Button>
      </div>
      <Problems problems={saver.problems} />
      <Table<Script>
        rowKey="name"
        size="middle"
        pagination={false}
        scroll={{ x: "max-content" }}
        dataSource={scripts}
        locale={{ emptyText: t("empty") }}
        columns={[
          {
            title: t("name"),
            dataIndex: "name",
            render: (n: string, s) => (
              <Link to={`${base}/${n}`}>
                {label(s.label, n)} <code className="logic-muted">{n}</code>
              </Link>
            ),
          },
          { title: t("kind"), dataIndex: "kind", render: (k: string) => <Tag>{t(`kind.${k}` as LogicKey)}</Tag> },
          {
            title: t("active"),
            dataIndex: "active",
            render: (a: boolean | undefined, s) => (
              <Switch
                size="small"
                aria-label={`${t("active")} ${s.name}`}
                checked={a !== false}
                loading={saver.pending}
                onChange={(v) => void saver.run(putScript(stored.definition, { ...s, active: v ? undefined : false }))}
              />
            ),
          },
          {
            title: t("actions"),
            key: "actions",
            render: (_: unknown, s) => (
              <span className="logic-row-actions">
                <Link to={`${base}/${s.name}`}>{t("edit")}</Link>
                <Popconfirm title={t("deleteConfirm", { name: s.name })} okText={t("delete")} cancelText={t("cancel")} onConfirm={() => void saver.run(removeScript(stored.definition, s.name), t("deleted"))}>
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
