// Notebooks with ONE huge output each (issue 5: "a 20 MB single output does not stall the frame"),
// generated on the fly next to the 5/20/100 MB ones: a stream of 200,000 lines, an HTML table and
// a PNG image, each about 20 MB, after a Markdown cell and a small code cell.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { noisePng } from '../../test/noise-png.mjs';

const MB = 1024 * 1024;

function notebook(outputs) {
  return {
    cells: [
      { cell_type: 'markdown', metadata: {}, source: ['# One huge output\n', '\n', 'Below.'] },
      {
        cell_type: 'code',
        execution_count: 1,
        metadata: {},
        outputs: [{ output_type: 'stream', name: 'stdout', text: ['small\n'] }],
        source: ['print("small")'],
      },
      { cell_type: 'code', execution_count: 2, metadata: {}, outputs, source: ['huge()'] },
    ],
    metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' } },
    nbformat: 4,
    nbformat_minor: 4,
  };
}

function streamOutput(bytes) {
  const lines = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const l = `epoch ${String(i).padStart(6, '0')}  loss=${(1 / (i + 1)).toFixed(8)}  acc=${(i % 997) / 1000}  lr=0.001 step ok\n`;
    lines.push(l);
    n += l.length;
  }
  return [{ output_type: 'stream', name: 'stdout', text: lines }];
}

function htmlOutput(bytes) {
  const rows = [
    '<table border="1" class="dataframe">\n<thead><tr><th></th><th>a</th><th>b</th><th>c</th></tr></thead>\n<tbody>\n',
  ];
  let n = rows[0].length;
  for (let i = 0; n < bytes; i++) {
    const r = `<tr><th>${i}</th><td>${(i * 0.37).toFixed(3)}</td><td>row ${i}</td><td>${i % 7 === 0 ? 'yes' : 'no'}</td></tr>\n`;
    rows.push(r);
    n += r.length;
  }
  rows.push('</tbody>\n</table>');
  return [
    {
      output_type: 'execute_result',
      execution_count: 2,
      metadata: {},
      data: { 'text/html': rows, 'text/plain': ['<DataFrame>'] },
    },
  ];
}

function imageOutput(bytes) {
  // Noise does not compress: width*height*3 bytes of PNG, base64 adds a third.
  const side = Math.ceil(Math.sqrt((bytes * 0.75) / 3));
  const png = noisePng(side, side);
  const b64 = PNG.sync.write(png, { colorType: 2, deflateLevel: 1 }).toString('base64');
  return [
    {
      output_type: 'display_data',
      metadata: {},
      data: { 'image/png': b64, 'text/plain': ['<Figure>'] },
    },
  ];
}

/** Writes the three notebooks into `dir`; returns bench inputs (kind 'generated'). */
export function generateBigOutputs(dir, mb = 20) {
  const kinds = { stream: streamOutput, html: htmlOutput, image: imageOutput };
  return Object.entries(kinds).map(([kind, make]) => {
    const name = `big-${kind}-output-${mb}MB.ipynb`;
    const file = path.join(dir, name);
    writeFileSync(file, `${JSON.stringify(notebook(make(mb * MB)), null, 1)}\n`);
    return { name, file, kind: 'generated', cells: 3 };
  });
}
