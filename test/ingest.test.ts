// `usage-etl ingest` as a new user meets it (issue 12): every path given is read, a snapshot from the
// wrong cloud is refused, and inputs we do not read are named. The real CLI on a real SQLite file.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, ROOT, runCli, workspace } from './support/cli.ts';
import { currentKeys } from './support/db.ts';

const lines = (text: string) => text.split('\n').filter(Boolean);

describe('ingest --dump: a path after another option is read, not dropped', { concurrency: 2 }, () => {
  it('the command of the issue: exits 1 naming the trailing bad file, the good dump still lands', async () => {
    const { db } = workspace();
    const result = await runCli(['--db', db, 'ingest', '--dump', 'fixtures/pbs/lyra', '--source', 'lyra', 'fixtures/bad/not-json.json'], { cwd: ROOT });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /^usage-etl: fixtures\/bad\/not-json\.json: not valid JSON/m);
    assert.match(result.stdout, /^lyra job .*added 2\b/m);
  });

  it('a good trailing file is loaded like the others', async () => {
    const { dir, db } = workspace();
    const day = join(FIXTURES, 'sequence', '2026-11-01');
    const result = await runCli(['--db', db, 'ingest', '--dump', join(day, 'flavors.json'), '--source', 'demo', join(day, 'servers.json')], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(lines(result.stdout).map((line) => line.split(' ').slice(0, 2).join(' ')), ['demo flavor', 'demo vm']);
  });
});
