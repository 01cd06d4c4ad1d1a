// Test and benchmark helper for the auditor (not the production compiler pool): reads one JSON
// request per line on stdin, {"sources": {"A.sol": "..."}}, compiles it for the AST with the
// highest installed solc-js whose version satisfies every file's pragma, and writes one line
// {"version", "output"} (or {"error"}) per request. Imports resolve to the request's own sources
// and to node_modules (OpenZeppelin) only.
const fs = require('fs');
const path = require('path');
const readline = require('readline');
const semver = require('semver');

const PACKAGES = ['solc', 'solc-0.7.6', 'solc-0.6.12', 'solc-0.5.17', 'solc-0.4.26'];
const loaded = {};
const installed = PACKAGES.map((name) => ({
  name,
  version: require(path.join(process.cwd(), 'node_modules', name, 'package.json')).version,
}));

function compiler(name) {
  if (!loaded[name]) loaded[name] = require(name);
  return loaded[name];
}

// Only to pick a compiler: the pragma ranges, as the compiler itself would read them.
function ranges(sources) {
  const out = [];
  for (const text of Object.values(sources)) {
    const re = /pragma\s+solidity\s+([^;]+);/g;
    let m;
    while ((m = re.exec(text)) !== null) out.push(m[1].trim());
  }
  return out;
}

function pick(sources) {
  const wanted = ranges(sources);
  for (const c of installed) {
    if (wanted.every((r) => semver.satisfies(c.version, r))) return c;
  }
  return null;
}

function readImport(sources) {
  const root = path.join(process.cwd(), 'node_modules');
  return (importPath) => {
    if (Object.prototype.hasOwnProperty.call(sources, importPath)) return { contents: sources[importPath] };
    if (importPath.startsWith('@openzeppelin/') && !importPath.includes('..')) {
      try {
        return { contents: fs.readFileSync(path.join(root, importPath), 'utf8') };
      } catch (e) {
        return { error: 'not found: ' + importPath };
      }
    }
    return { error: 'import not allowed: ' + importPath };
  };
}

const rl = readline.createInterface({ input: process.stdin, terminal: false });
rl.on('line', (line) => {
  let reply;
  try {
    const request = JSON.parse(line);
    const chosen = request.compiler
      ? installed.find((c) => c.name === request.compiler)
      : pick(request.sources);
    if (!chosen) {
      reply = { error: 'no installed compiler satisfies ' + JSON.stringify(ranges(request.sources)) };
    } else {
      const input = { language: 'Solidity', sources: {}, settings: { outputSelection: { '*': { '': ['ast'] } } } };
      for (const [name, content] of Object.entries(request.sources)) input.sources[name] = { content };
      const solc = compiler(chosen.name);
      let out = chosen.name === 'solc-0.4.26'
        ? solc.compileStandardWrapper(JSON.stringify(input), readImport(request.sources))
        : solc.compile(JSON.stringify(input), { import: readImport(request.sources) });
      if (typeof out !== 'string') out = JSON.stringify(out);
      reply = { version: solc.version(), output: JSON.parse(out) };
    }
  } catch (e) {
    reply = { error: String(e && e.stack ? e.stack : e) };
  }
  process.stdout.write(JSON.stringify(reply) + '\n');
});
