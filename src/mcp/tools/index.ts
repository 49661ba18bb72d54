import type { AnyTool } from '../toolkit.js';
import { compareCostsTool } from './compare_costs.js';
import { estimateCostTool } from './estimate_cost.js';
import { getAllPricingTool } from './get_all_pricing.js';
import { getPerformanceMetricsTool } from './get_performance_metrics.js';
import { getTelemetryTool } from './get_telemetry.js';
import { getUseCasesTool } from './get_use_cases.js';

/** The six tools, in the order tools/list shows them. */
export const TOOLS: readonly AnyTool[] = [
  getAllPricingTool,
  estimateCostTool,
  compareCostsTool,
  getPerformanceMetricsTool,
  getUseCasesTool,
  getTelemetryTool,
];

export const TOOL_NAMES: readonly string[] = TOOLS.map((t) => t.name);
