import { Col, Row } from "antd";
import type { Dashboard } from "@/reports/types";
import { ReportCard } from "./ReportCard";
import "@/reports/reports.css";

// DashboardGrid lays a dashboard's cards out in rows of 24 columns on a
// desktop (each card as wide as it says) and one card per row on a phone.

type DashboardGridProps = { dashboard: Dashboard };

export function DashboardGrid({ dashboard }: DashboardGridProps) {
  return (
    <Row gutter={[16, 16]} className="dashboard-grid">
      {dashboard.cards.map((c, i) => (
        <Col key={`${c.report.name}-${i}`} xs={24} lg={clampWidth(c.width)}>
          <ReportCard report={c.report} />
        </Col>
      ))}
    </Row>
  );
}

// clampWidth keeps a card's width within the row (1 to 24 columns; half
// a row when unknown).
export function clampWidth(w: number | undefined): number {
  if (!w || Number.isNaN(w)) return 12;
  return Math.min(24, Math.max(1, Math.round(w)));
}
