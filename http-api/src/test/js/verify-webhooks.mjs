// Verifies captured webhook deliveries with the Standard Webhooks reference library (npm
// `standardwebhooks`), independently of Mintline's Java signing code.
// Usage: node verify-webhooks.mjs <captured.json>, where the file is
//   [{"secret": "whsec_...", "headers": {"webhook-id": ..., "webhook-timestamp": ..., "webhook-signature": ...}, "body": "..."}]
// Prints one line "verified N failed M" and then a line per failure; exits 0 either way.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const { Webhook } = require('standardwebhooks');

const captured = JSON.parse(readFileSync(process.argv[2], 'utf8'));
let verified = 0;
const failures = [];
for (const item of captured) {
  try {
    const payload = new Webhook(item.secret).verify(item.body, item.headers);
    if (payload === null || typeof payload !== 'object') throw new Error('no JSON payload');
    verified++;
  } catch (e) {
    failures.push(`${item.headers['webhook-id']}: ${e.message}`);
  }
}
console.log(`verified ${verified} failed ${failures.length}`);
for (const f of failures) console.log(`failure ${f}`);
