// Runs Electronegativity (Doyensec's Electron security linter) over src/ (or the
// folder given as argument) and fails on any HIGH-severity finding or any file it
// could not parse. Lower findings are listed for review but do not fail the run.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const run = require('@doyensec/electronegativity');
const electronVersion = require('electron/package.json').version;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const input = path.resolve(process.argv[2] ?? path.join(root, 'src'));

// The "available security fixes" check downloads Electron's release list; there is
// no network here, and the Electron version is pinned by package-lock.json anyway.
const { issues, errors } = await run({
  input,
  electronVersionOverride: electronVersion,
  isRelative: true,
  excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
});

for (const issue of issues) {
  console.log(`${issue.severity.name.padEnd(13)} ${issue.confidence.name.padEnd(9)} ${issue.id}  ${issue.file}:${issue.location.line}`);
}
const broken = errors.filter((e) => !e.tolerable);
for (const error of broken) console.log(`PARSE ERROR   ${error.file}: ${error.message}`);

const high = issues.filter((i) => i.severity.name === 'HIGH');
console.log(`electronegativity: ${issues.length} findings, ${high.length} high, ${broken.length} parse errors (Electron ${electronVersion})`);
process.exit(high.length || broken.length ? 1 : 0);
