import { BarChart, FunnelChart, LineChart, PieChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";

// ECharts with only what the reports draw (UI.md §10): bar, line, pie and
// funnel charts, their grid, legend and tooltip, on canvas. This module is
// imported by the chart component alone, which loads on demand.
echarts.use([BarChart, LineChart, PieChart, FunnelChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export { echarts };
