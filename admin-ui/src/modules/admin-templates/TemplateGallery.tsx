import { Card, Tag, Typography } from "antd";
import { Link } from "react-router";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import { useText } from "@/admin/text";
import { PageError } from "@/ui/PageState";
import { Skeleton } from "@/ui/Skeleton";
import type { TemplateInfo } from "./api";
import { ExportButton } from "./ExportButton";
import { isNewer } from "./plan";
import { TemplateContentsView } from "./TemplateContentsView";
import { text } from "./text";
import { useContents, useTemplates } from "./useTemplates";

// TemplateGallery shows every template the server ships as a card: its
// name, version and whether it is installed or can be upgraded, what it
// is for and what it holds.
// exportName suggests a template name for the tenant's export.
export function exportName(tenant: string): string {
  const n = tenant.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^[^a-z]+/, "").slice(0, 63);
  return n || "my-template";
}

export function TemplateGallery() {
  const t = useText(text);
  const md = useMetadata();
  const templates = useTemplates();
  return (
    <div className="tpl-page">
      <div className="tpl-gallery-head">
        <Typography.Title level={4}>{t("title")}</Typography.Title>
        <ExportButton name={exportName(md.me.tenant)} version="1.0.0" />
      </div>
      <Typography.Paragraph type="secondary">{t("hint")}</Typography.Paragraph>
      {templates.isPending ? (
        <Skeleton rows={6} />
      ) : templates.isError ? (
        <PageError error={templates.error} onRetry={() => templates.refetch()} />
      ) : (
        <div className="tpl-gallery">
          {templates.data.map((tpl) => (
            <TemplateCard key={tpl.name} tpl={tpl} />
          ))}
        </div>
      )}
    </div>
  );
}

export function TemplateStateTag({ tpl }: { tpl: TemplateInfo }) {
  const t = useText(text);
  if (!tpl.installedVersion) return <Tag>{t("notInstalled")}</Tag>;
  if (isNewer(tpl.version, tpl.installedVersion)) return <Tag color="orange">{t("upgradable", { v: tpl.version })}</Tag>;
  return <Tag color="green">{t("installed", { v: tpl.installedVersion })}</Tag>;
}

function TemplateCard({ tpl }: { tpl: TemplateInfo }) {
  const t = useText(text);
  const { label } = useI18n();
  const contents = useContents(tpl.name);
  return (
    <Card
      className="tpl-card"
      data-template={tpl.name}
      title={
        <Link to={`/admin/templates/${encodeURIComponent(tpl.name)}`} className="tpl-card-title">
          {label(tpl.label, tpl.name)}
        </Link>
      }
      extra={<TemplateStateTag tpl={tpl} />}
      actions={[
        <Link key="open" to={`/admin/templates/${encodeURIComponent(tpl.name)}`}>
          {t("open")}
        </Link>,
      ]}
    >
      <div className="tpl-version">
        {tpl.name} · {t("version", { v: tpl.version })}
      </div>
      <Typography.Paragraph type="secondary" ellipsis={{ rows: 3 }}>
        {label(tpl.description)}
      </Typography.Paragraph>
      {contents.data ? (
        <TemplateContentsView contents={contents.data} compact />
      ) : contents.isError ? null : (
        <div className="tpl-loading" aria-busy="true">
          {t("contentsLoading")}
        </div>
      )}
    </Card>
  );
}
