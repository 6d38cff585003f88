import { Table } from "antd";
import { Link } from "react-router";
import { useText } from "@/admin/text";
import { pickLabel, useI18n } from "@/i18n/I18nProvider";
import { formatCount, formatDays, formatRatio } from "./figures";
import type { FunnelStage } from "./model";
import { text } from "./text";

// StageTable lists a funnel's stages: the steps with how many reached
// them, are in them now, the conversions and the average days in stage;
// the exits (lost stages) apart, with the share of the population that
// left there. A stage's current count links to those records.

type StageTableProps = { stages: FunnelStage[]; urlOf: (stage: string) => string };

type Row = FunnelStage & { key: string };

export function StageTable({ stages, urlOf }: StageTableProps) {
  const t = useText(text);
  const { lang } = useI18n();
  const name = (s: FunnelStage) => pickLabel(lang, s.stage.label, s.stage.value);
  const num = { align: "right" as const, className: "num" };
  const current = {
    title: t("current"),
    key: "current",
    ...num,
    render: (_: unknown, s: Row) => (
      <Link to={urlOf(s.stage.value)} data-stage-link={s.stage.value}>
        {formatCount(s.current, lang)}
      </Link>
    ),
  };
  const steps: Row[] = stages.filter((s) => s.step).map((s) => ({ ...s, key: s.stage.value }));
  const exits: Row[] = stages.filter((s) => !s.step).map((s) => ({ ...s, key: s.stage.value }));
  return (
    <div className="analytics-tables">
      <Table<Row>
        size="small"
        pagination={false}
        rowKey="key"
        dataSource={steps}
        scroll={{ x: "max-content" }}
        className="analytics-stage-table"
        columns={[
          { title: t("stage"), key: "stage", render: (_, s) => name(s), fixed: "left" },
          { title: t("reached"), key: "reached", ...num, render: (_, s) => formatCount(s.reached, lang) },
          current,
          { title: t("fromPrevious"), key: "prev", ...num, render: (_, s) => formatRatio(s.conversionFromPrevious, lang) },
          { title: t("fromFirst"), key: "first", ...num, render: (_, s) => formatRatio(s.conversionFromFirst, lang) },
          { title: t("averageDays"), key: "days", ...num, render: (_, s) => formatDays(s.averageDays, lang) },
        ]}
      />
      {exits.length ? (
        <Table<Row>
          size="small"
          pagination={false}
          rowKey="key"
          dataSource={exits}
          scroll={{ x: "max-content" }}
          className="analytics-exit-table"
          title={() => t("exits")}
          columns={[
            { title: t("stage"), key: "stage", render: (_, s) => name(s), fixed: "left" },
            { title: t("reached"), key: "reached", ...num, render: (_, s) => formatCount(s.reached, lang) },
            current,
            { title: t("exitShare"), key: "share", ...num, render: (_, s) => formatRatio(s.conversionFromFirst, lang) },
          ]}
        />
      ) : null}
    </div>
  );
}
