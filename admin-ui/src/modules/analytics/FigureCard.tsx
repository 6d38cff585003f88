import { Tooltip } from "antd";
import type { ReactNode } from "react";

// FigureCard is one headline figure: its label, the figure as shown and,
// when that is compact (¥12.5万), the exact one in a tooltip.

type FigureCardProps = { name: string; label: ReactNode; value: string; exact?: string };

export function FigureCard({ name, label, value, exact }: FigureCardProps) {
  const compact = !!exact && exact !== value;
  const figure = (
    <span className="analytics-kpi-value" tabIndex={compact ? 0 : undefined} data-exact={exact}>
      {value}
    </span>
  );
  return (
    <div className="analytics-kpi" data-kpi={name}>
      <div className="analytics-kpi-label">{label}</div>
      {compact ? <Tooltip title={exact}>{figure}</Tooltip> : figure}
    </div>
  );
}
