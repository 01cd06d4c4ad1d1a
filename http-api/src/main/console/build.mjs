// Builds the web console into the jar's resources: esbuild bundles src/main.js (ES modules, with
// algosdk, qrcode and js-sha512 from node_modules) into one console.js; the page, the styles and
// the licences of what the bundle holds are copied beside it. Run by Maven (exec-maven-plugin,
// process-resources) from the repository root; reads only local files, never the network.
//
//   node http-api/src/main/console/build.mjs http-api/target/classes/console
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2];
if (!out) throw new Error('usage: build.mjs <output directory>');
mkdirSync(out, { recursive: true });

await build({
  entryPoints: [join(here, 'src', 'main.js')],
  outfile: join(out, 'console.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022'],
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync(join(here, 'index.html'), join(out, 'index.html'));
copyFileSync(join(here, 'console.css'), join(out, 'console.css'));

// The bundle's third-party code, with each package's licence text.
const bundled = ['algosdk', 'qrcode', 'js-sha512', 'tweetnacl', 'algorand-msgpack', 'hi-base32', 'js-sha256', 'js-sha3', 'json-bigint', 'bignumber.js', 'vlq', 'dijkstrajs'];
const parts = [];
for (const name of bundled) {
  const dir = join(process.cwd(), 'node_modules', name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  let text = '';
  for (const file of ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'license', 'LICENCE']) {
    try { text = readFileSync(join(dir, file), 'utf8'); break; } catch { /* next name */ }
  }
  parts.push(`${pkg.name} ${pkg.version} (${pkg.license ?? 'see below'})\n\n${text || 'licence: ' + pkg.license}`);
}
writeFileSync(join(out, 'THIRD-PARTY-LICENSES.txt'), parts.join('\n\n' + '-'.repeat(72) + '\n\n'));
