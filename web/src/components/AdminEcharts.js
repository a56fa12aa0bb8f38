// The part of ECharts the admin and area charts use (bar, line, pie with grid,
// tooltip and legend on canvas). Static named imports so the bundler keeps only
// these; AdminChart.vue imports this module dynamically, so it is fetched only
// by a screen that draws a chart.
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, LegendComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, PieChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);
export default echarts;
