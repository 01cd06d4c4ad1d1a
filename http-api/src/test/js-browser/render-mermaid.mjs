// Renders the Mermaid diagrams of a Markdown file in headless Chromium with the mermaid package from
// node_modules, as code hosts render them. Prints one JSON line per diagram: {"ok", "edges" (drawn),
// "text" (every label drawn), "error"}; exits 1 when any diagram fails to parse or render.
// Usage: CHROMIUM=/usr/bin/chromium node render-mermaid.mjs <file.md> <node_modules dir>
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';

const [file, modules] = process.argv.slice(2);
const require = createRequire(join(resolve(modules), 'noop.js'));
const { chromium } = require('playwright-core');
const mermaidBundle = process.env.MERMAID_BUNDLE || join(modules, 'mermaid', 'dist', 'mermaid.min.js');

const markdown = readFileSync(file, 'utf8');
const diagrams = [...markdown.matchAll(/```mermaid\n([\s\S]*?)```/g)].map(m => m[1]);
if (diagrams.length === 0) {
  console.log(JSON.stringify({ ok: false, error: 'no mermaid block in ' + file }));
  process.exit(1);
}
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM, args: FLAGS, headless: true });
let failed = false;
try {
  const page = await browser.newPage();
  await page.setContent('<!doctype html><html><body></body></html>');
  await page.addScriptTag({ path: mermaidBundle });
  for (const [i, source] of diagrams.entries()) {
    const result = await page.evaluate(async ({ source, i }) => {
      try {
        window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
        const { svg } = await window.mermaid.render('diagram' + i, source);
        const doc = document.createElement('div');
        doc.innerHTML = svg;
        document.body.appendChild(doc);
        const error = doc.querySelector('.error-text, .error-icon');
        return { ok: !error, error: error ? 'mermaid drew its error diagram' : undefined,
          edges: doc.querySelectorAll('path.flowchart-link, .edgePaths path').length,
          text: [...doc.querySelectorAll('.nodeLabel, .edgeLabel, .cluster-label')].map(e => e.textContent.replace(/\s+/g, ' ').trim()).join(' | ') };
      } catch (e) {
        return { ok: false, error: String(e && e.message || e) };
      }
    }, { source, i });
    console.log(JSON.stringify(result));
    if (!result.ok) failed = true;
  }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
