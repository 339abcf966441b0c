// The README's set-up is what a newcomer runs first: its commands, taken from the README itself, must
// work on the bundled fixtures and print what "A first look" shows.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, runCli, workspace } from './support/cli.ts';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The `./bin/usage-etl …` commands of the set-up's first line, as argument lists. */
function setupCommands(): string[][] {
  const block = /## Set-up\n[\s\S]*?```sh\n([\s\S]*?)```/.exec(README)?.[1];
  assert.ok(block, 'README has a set-up block');
  const first = block.split('\n')[0]!;
  assert.match(first, /^npm ci && /);
  return first.split(' && ').slice(1).map((command) => {
    const [bin, ...args] = command.trim().split(/\s+/);
    assert.equal(bin, './bin/usage-etl');
    return args.map((arg) => (arg.startsWith('fixtures/') ? join(ROOT, arg) : arg));
  });
}

/** The sample output of "A first look", lines that are not `...`. */
function firstLookLines(): string[] {
  const block = /### A first look[\s\S]*?```\n([\s\S]*?)```/.exec(README)?.[1];
  assert.ok(block, 'README has a first look');
  return block.split('\n').filter((line) => line && line !== '...');
}

describe('the README set-up', () => {
  it('runs on the bundled fixtures, exit 0, and prints the lines "A first look" shows', async () => {
    const { dir } = workspace();
    const [ingest, exported] = setupCommands();
    const loaded = await runCli(ingest!, { cwd: dir });
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.doesNotMatch(loaded.stderr, /usage-etl:|warning/, 'no error or warning');
    // A terminal shows both streams: summaries on stdout, the skipped count on stderr.
    // A snapshot's elapsed time, "(0.00s)" in the README, is whatever the machine took.
    const untimed = (line: string) => line.replace(/\(\d+\.\d\ds\)$/, '(…s)');
    const printed = new Set(`${loaded.stdout}${loaded.stderr}`.split('\n').map(untimed));
    for (const line of firstLookLines()) assert.ok(printed.has(untimed(line)), `README shows a line the ingest does not print: ${line}`);
    assert.ok(existsSync(join(dir, 'usage.db')), 'into ./usage.db');
    const wrote = await runCli(exported!, { cwd: dir });
    assert.equal(wrote.code, 0, wrote.stderr);
    for (const type of ['vm', 'volume', 'xfs_quota']) assert.ok(existsSync(join(dir, 'export-2026-11-01-2026-11-30', `${type}.csv`)), type);
  });
});
