// A long-lived solc-js worker: the node starts a few of these and sends them standard-JSON
// compilations one at a time, so each compiler's soljson is loaded once, not per request.
//
// Frames, both ways: a line holding the payload's length in bytes, then the payload (UTF-8 JSON).
//   request : {"id": n, "package": "solc" | "solc-0.7.6" | ..., "input": {standard JSON}}
//   answer  : {"id": n, "version": "...", "output": {standard JSON}} or {"id": n, "failure": "..."}
// The node hands over every source the compilation needs (imports already resolved and checked),
// so no import callback is installed: solc here never reads a file.
'use strict';
const path = require('path');

const nodeModules = process.argv[2];
if (!nodeModules) {
  process.stderr.write('usage: node solc-worker.js <node_modules directory>\n');
  process.exit(2);
}
const compilers = new Map();

function compiler(pkg) {
  if (!/^solc(-[0-9]+\.[0-9]+\.[0-9]+)?$/.test(pkg)) throw new Error('not a compiler package: ' + pkg);
  let solc = compilers.get(pkg);
  if (!solc) {
    solc = require(path.join(nodeModules, pkg));
    compilers.set(pkg, solc);
  }
  return solc;
}

function compile(pkg, input) {
  const solc = compiler(pkg);
  const text = JSON.stringify(input);
  // solc-js 0.4.x exposes the standard-JSON entry point under another name.
  const out = solc.version().startsWith('0.4.') ? solc.compileStandardWrapper(text) : solc.compile(text);
  return { version: solc.version(), output: out };
}

function send(object, rawOutput) {
  // The compiler's output is already JSON text: splice it in rather than parse and re-encode it.
  let text = JSON.stringify(object);
  if (rawOutput !== undefined) text = text.slice(0, -1) + ',"output":' + rawOutput + '}';
  const payload = Buffer.from(text, 'utf8');
  process.stdout.write(payload.length + '\n');
  process.stdout.write(payload);
}

let buffered = Buffer.alloc(0);
process.stdin.on('data', chunk => {
  buffered = Buffer.concat([buffered, chunk]);
  for (;;) {
    const newline = buffered.indexOf(10);
    if (newline < 0) return;
    const length = Number(buffered.subarray(0, newline).toString('ascii'));
    if (!Number.isSafeInteger(length) || length < 0) {
      process.stderr.write('bad frame header\n');
      process.exit(3);
    }
    if (buffered.length < newline + 1 + length) return;
    const payload = buffered.subarray(newline + 1, newline + 1 + length).toString('utf8');
    buffered = buffered.subarray(newline + 1 + length);
    let request;
    try {
      request = JSON.parse(payload);
    } catch (e) {
      send({ id: -1, failure: 'request is not JSON: ' + e.message });
      continue;
    }
    try {
      const { version, output } = compile(request.package, request.input);
      send({ id: request.id, version }, output);
    } catch (e) {
      send({ id: request.id, failure: String(e && e.message ? e.message : e) });
    }
  }
});
// No process.exit() at the end of input: it could cut off an answer still being written to a
// pipe. Node exits by itself once stdin is closed and stdout is drained.
process.stdin.on('end', () => {});
