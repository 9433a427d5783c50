/**
 * Whether a tool only reads, judged from its name, since no source says so: a word of it (split at
 * `_`, `-`, `.`, spaces and camelCase: `WebFetch` is `web fetch`) says reading (`read`, `grep`,
 * `list`, ...) and none says changing anything (`write`, `edit`, `exec`, ...). A guess that errs
 * on the side of "not read-only": `run_query` and `Bash` are not.
 */
export function isReadOnlyTool(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  return words.some((word) => READING.has(word)) && !words.some((word) => CHANGING.has(word));
}

const READING: ReadonlySet<string> = new Set(['read', 'view', 'cat', 'get', 'list', 'ls', 'glob', 'grep', 'rg', 'search', 'find', 'fetch', 'stat', 'lookup', 'head', 'tail']);
const CHANGING: ReadonlySet<string> = new Set([
  'write', 'edit', 'delete', 'remove', 'rm', 'create', 'update', 'set', 'put', 'post', 'run', 'exec', 'execute', 'apply',
  'patch', 'move', 'mv', 'rename', 'kill', 'install', 'commit', 'push', 'replace', 'insert', 'save', 'send', 'and',
]);
