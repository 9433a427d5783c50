#!/usr/bin/env node
// Installs the coding-agent CLIs that test/agents runs, at the versions pinned in
// test/agents/versions.json, each into test/agents/.cli/<id> (its own prefix: their dependencies
// never mix with the project's). Already installed at the pinned version: left alone.
//   node scripts/install-agents.mjs [id ...]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const agentsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'agents');
const versions = JSON.parse(readFileSync(join(agentsDir, 'versions.json'), 'utf8'));
const wanted = process.argv.slice(2);
const ids = Object.keys(versions).filter((id) => id !== '//' && (wanted.length === 0 || wanted.includes(id)));
for (const id of wanted) if (!(id in versions)) throw new Error(`no agent ${id} in versions.json; known: ${ids.join(', ')}`);

for (const id of ids) {
  const { package: name, version } = versions[id];
  const prefix = join(agentsDir, '.cli', id);
  const manifest = join(prefix, 'node_modules', ...name.split('/'), 'package.json');
  if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).version === version) {
    console.log(`${id}: ${name}@${version} already installed`);
    continue;
  }
  mkdirSync(prefix, { recursive: true });
  console.log(`${id}: installing ${name}@${version}`);
  execFileSync('npm', ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--no-package-lock', `${name}@${version}`], { stdio: 'inherit' });
}
