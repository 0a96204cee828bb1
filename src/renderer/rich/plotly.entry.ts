// rich-plotly.js: draws `application/vnd.plotly.v1+json` ({data, layout, config, frames}) with the
// bundled plotly.js, in the trusted sandbox only (src/renderer/rich.ts). The figure keeps its own
// colours (plotly.py's templates are light) on a light card (styles.ts).
import Plotly from 'plotly.js-dist-min';
import type { RichDraw, RichOutput } from '../rich';
import { shareModules } from './modules';

type Figure = { data: unknown[]; layout?: unknown; config?: unknown; frames?: unknown };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function figure(output: RichOutput): Figure {
  const v: unknown = output.value;
  if (!isObject(v) || !Array.isArray(v.data)) {
    throw new Error('the Plotly figure has no "data" list');
  }
  // plotly.js writes into the objects it is given; the parsed notebook is shared (rich.ts).
  return structuredClone(v) as Figure;
}

/** Links and buttons that would reach plot.ly / Chart Studio: off, whatever the figure says. */
export const LOCAL_CONFIG = {
  displaylogo: false,
  showLink: false,
  showEditInChartStudio: false,
  showSendToCloud: false,
  responsive: true,
} as const;

const draw: RichDraw = async (target, output) => {
  const fig = figure(output);
  const config = localConfig(fig.config);
  delete config.plotlyServerURL;
  await Plotly.newPlot(target, {
    data: fig.data,
    layout: isObject(fig.layout) ? fig.layout : {},
    config,
    ...(Array.isArray(fig.frames) ? { frames: fig.frames } : {}),
  } as unknown as Parameters<typeof Plotly.newPlot>[1]);
};

// Outputs whose own HTML calls `Plotly.newPlot` get the same library, with the same local config.
function localConfig(config: unknown): Record<string, unknown> {
  return { ...(isObject(config) ? config : {}), ...LOCAL_CONFIG };
}

const plotlyForOutputs = {
  ...Plotly,
  newPlot: (gd: unknown, data: unknown, layout?: unknown, config?: unknown) =>
    // newPlot(gd, figure) takes the config from the figure object, newPlot(gd, data, ...) from
    // the fourth argument.
    isObject(data)
      ? Plotly.newPlot(gd as HTMLElement, { ...data, config: localConfig(data.config) } as never)
      : Plotly.newPlot(gd as HTMLElement, data as never, layout as never, localConfig(config)),
};

shareModules({ plotly: plotlyForOutputs });
const g = window as Window & { __nbshieldRich?: Record<string, RichDraw> };
g.__nbshieldRich = { ...g.__nbshieldRich, plotly: draw };
