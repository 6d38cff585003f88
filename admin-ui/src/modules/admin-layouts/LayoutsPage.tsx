import { ArrowLeftOutlined } from "@ant-design/icons";
import { Button, Table, Tabs, Typography } from "antd";
import { Link, useNavigate, useParams } from "react-router";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import { PageMessage } from "@/ui/PageMessage";
import { LayoutDesigner } from "./LayoutDesigner";
import { ViewsEditor } from "./ViewsEditor";
import { text } from "./text";
import "./layouts.css";

// The Layouts and views section: /admin/layouts lists the objects,
// /admin/layouts/<object> designs its record page and
// /admin/layouts/<object>/views[/<name>|/new] edits its shared list views.

export function LayoutsPage() {
  const rest = useParams()["*"] ?? "";
  const [, object, tab, view] = rest.split("/");
  if (!object) return <ObjectList />;
  return <ObjectLayouts key={object} object={object} tab={tab === "views" ? "views" : "layout"} view={view} />;
}

function ObjectList() {
  const t = useText(text);
  const { label } = useI18n();
  const md = useMetadata();
  return (
    <div className="adm-layouts">
      <Typography.Title level={4}>{t("layoutsTitle")}</Typography.Title>
      <Typography.Paragraph type="secondary">{t("layoutsHint")}</Typography.Paragraph>
      <Table
        size="middle"
        rowKey="name"
        dataSource={md.objects}
        pagination={false}
        scroll={{ x: "max-content" }}
        columns={[
          { title: t("colObject"), key: "o", render: (_, o) => <Link to={`/admin/layouts/${o.name}`}>{label(o.label, o.name)}</Link> },
          { title: "API", key: "n", dataIndex: "name" },
          {
            title: "",
            key: "a",
            render: (_, o) => (
              <span className="stage-tags">
                <Link to={`/admin/layouts/${o.name}`}>{t("layoutTab")}</Link>
                <span>　</span>
                <Link to={`/admin/layouts/${o.name}/views`}>{t("viewsTab")}</Link>
              </span>
            ),
          },
        ]}
      />
    </div>
  );
}

function ObjectLayouts({ object, tab, view }: { object: string; tab: "layout" | "views"; view?: string }) {
  const t = useText(text);
  const { label } = useI18n();
  const navigate = useNavigate();
  const obj = useMetadata().byName[object];
  if (!obj) {
    return (
      <PageMessage
        kind="info"
        title={t("noSuchObject")}
        detail={object}
        action={
          <Link to="/admin/layouts">
            <Button>{t("back")}</Button>
          </Link>
        }
      />
    );
  }
  return (
    <div className="adm-layouts">
      <div className="adm-head">
        <Link to="/admin/layouts" className="adm-back" aria-label={t("back")}>
          <ArrowLeftOutlined />
        </Link>
        <Typography.Title level={4} className="adm-title">
          {label(obj.label, obj.name)}
        </Typography.Title>
      </div>
      <Tabs
        activeKey={tab}
        onChange={(k) => navigate(k === "views" ? `/admin/layouts/${object}/views` : `/admin/layouts/${object}`)}
        items={[
          { key: "layout", label: t("layoutTab") },
          { key: "views", label: t("viewsTab") },
        ]}
      />
      {tab === "layout" ? <LayoutDesigner obj={obj} /> : <ViewsEditor obj={obj} view={view} />}
    </div>
  );
}
