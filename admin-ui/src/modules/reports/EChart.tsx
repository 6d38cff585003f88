import { useEffect, useRef } from "react";
import type { ChartItem } from "./chartOption";
import { echarts } from "./echarts";

// EChart draws an ECharts option in a box that follows its container's
// size, and reports clicks on drawn items by their result row.

type EChartProps = {
  option: Record<string, unknown>;
  label: string;
  height: number;
  onItemClick?: (row: number) => void;
};

export function EChart({ option, label, height, onItemClick }: EChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const click = useRef(onItemClick);
  click.current = onItemClick;

  useEffect(() => {
    const el = box.current!;
    const c = echarts.init(el, undefined, { renderer: "canvas" });
    chart.current = c;
    c.on("click", (p) => {
      const d = p.data as ChartItem | undefined;
      if (d && typeof d.row === "number" && d.row >= 0) click.current?.(d.row);
    });
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  return <div ref={box} className={onItemClick ? "report-echart report-echart-clickable" : "report-echart"} style={{ height }} role="img" aria-label={label} />;
}
