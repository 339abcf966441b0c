// Start-up (issue 12): the CLI runs the compiled JavaScript of dist/ (never TypeScript through tsx),
// and a command loads only what it uses — `--help` commander alone, `status` no HTTP client, zip,
// xz, CSV or streaming JSON. Seen through a module hook that records every module the CLI loads.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { before, describe, it } from 'node:test';
import { BIN, FIXTURES, ROOT, runCli, tempDir } from './support/cli.ts';

/** Packages and modules of ours that a command should load only when it uses them. */
const HEAVY = [
  'node_modules/undici/',
  'node_modules/yazl/',
  'node_modules/pg/',
  'node_modules/pgpass/',
  'node_modules/ora/',
  'node_modules/csv-stringify/',
  'node_modules/yaml/',
  'dist/http.js',
  'dist/sources/files/unxz.js',
  'dist/sources/dump/split.js',
  'dist/export/output.js',
  'dist/export/csv.js',
  'dist/export/run.js',
];

// module.register came with Node 20.6; an older Node 20 cannot watch the loading.
const canHook = typeof (nodeModule as { register?: unknown }).register === 'function';

describe('start-up: what the CLI loads', { skip: !canHook && 'module.register needs Node 20.6' }, () => {
  let hook: string;
  let dir: string;
  before(async () => {
    dir = tempDir();
    // module.register (Node ≥ 20.6): its load hook runs for every module imported, ours and packages'.
    writeFileSync(join(dir, 'hooks.mjs'), "import { appendFileSync } from 'node:fs';\nlet log;\nexport function initialize(data) { log = data.log; }\nexport async function load(url, context, next) { appendFileSync(log, `${url}\\n`); return next(url, context); }\n");
    hook = join(dir, 'register.mjs');
    writeFileSync(hook, "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url, { data: { log: process.env.LOADED_LOG } });\n");
    const run = await runCli(['-q', 'ingest', '--dump', join(FIXTURES, 'sequence')], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
  });

  /** The modules `usage-etl ARGS` loaded, as paths under the repository (node: builtins left out). */
  function loaded(name: string, args: string[]): string[] {
    const log = join(dir, `${name}.log`);
    writeFileSync(log, '');
    const run = spawnSync(process.execPath, ['--import', pathToFileURL(hook).href, BIN, ...args], {
      cwd: dir,
      env: { ...process.env, HOME: dir, USAGE_ETL_DB: undefined, USAGE_ETL_CONFIG: undefined, LOADED_LOG: log },
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    const root = `${pathToFileURL(ROOT).href}/`;
    const urls = readFileSync(log, 'utf8').split('\n').filter((url) => url && !url.startsWith('node:'));
    assert.ok(urls.length > 1, `the hook saw the CLI load: ${urls.join(' ')}`);
    return urls.map((url) => (url.startsWith(root) ? url.slice(root.length) : url));
  }

  it('runs dist/, compiled: no TypeScript file and nothing of tsx', () => {
    const modules = loaded('help', ['--help']);
    assert.deepEqual(modules.filter((m) => m.endsWith('.ts') || m.includes('node_modules/tsx/') || m.includes('node_modules/esbuild/')), []);
    assert.ok(modules.includes('dist/cli.js'), modules.join(' '));
  });

  for (const args of [['--help'], ['--version'], ['status', '--help']]) {
    it(`usage-etl ${args.join(' ')} loads commander and no other package`, () => {
      const packages = loaded(args.join('-'), args).filter((m) => m.includes('node_modules/'));
      assert.deepEqual(packages.filter((m) => !m.startsWith('node_modules/commander/')), []);
    });
  }

  it('usage-etl status loads no HTTP client, zip, xz, CSV, YAML or streaming JSON', () => {
    const modules = loaded('status', ['--db', 'usage.db', 'status']);
    assert.ok(modules.some((m) => m.startsWith('node_modules/better-sqlite3/')), 'it did read the database');
    assert.deepEqual(modules.filter((m) => HEAVY.some((heavy) => m.startsWith(heavy))), []);
  });
});
