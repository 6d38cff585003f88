import { Tag } from "antd";
import { useI18n } from "@/i18n/I18nProvider";
import { useText } from "@/admin/text";
import type { TemplateContents } from "./plan";
import { text } from "./text";

type TemplateContentsViewProps = { contents: TemplateContents; compact?: boolean };

// TemplateContentsView lists what a template holds: objects, pipelines,
// roles, layouts and views, sample data.
export function TemplateContentsView({ contents, compact }: TemplateContentsViewProps) {
  const t = useText(text);
  const { label } = useI18n();
  const max = compact ? 8 : Infinity;
  const more = (n: number) => (n > max ? <span className="tpl-more">+{n - max}</span> : null);
  return (
    <dl className="tpl-contents">
      <dt>{t("objects")}</dt>
      <dd>
        {contents.objects.slice(0, max).map((o) => (
          <Tag key={o.name}>{label(o.label, o.name)}</Tag>
        ))}
        {more(contents.objects.length)}
      </dd>
      {contents.pipelines.length ? (
        <>
          <dt>{t("pipelines")}</dt>
          <dd>
            {contents.pipelines.slice(0, max).map((p) => (
              <Tag key={`${p.object}.${p.field}`} color="blue">
                {label(p.label, p.field)} · {t("stages", { n: p.stages })}
              </Tag>
            ))}
            {more(contents.pipelines.length)}
          </dd>
        </>
      ) : null}
      {contents.roles.length ? (
        <>
          <dt>{t("roles")}</dt>
          <dd>
            {contents.roles.map((r) => (
              <Tag key={r.name} color="purple">
                {label(r.label, r.name)}
              </Tag>
            ))}
          </dd>
        </>
      ) : null}
      {!compact && contents.layouts + contents.views > 0 ? (
        <>
          <dt>{t("k.layout")}</dt>
          <dd>{t("layoutsViews", { l: contents.layouts, v: contents.views })}</dd>
        </>
      ) : null}
      <dt>{t("sampleLabel")}</dt>
      <dd>{contents.sampleData ? <Tag color="green">{t("sampleData")}</Tag> : <Tag>{t("noSampleData")}</Tag>}</dd>
    </dl>
  );
}
