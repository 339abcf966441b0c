// The spinner (SPEC §2): on a terminal only, uncoloured with NO_COLOR, and saying it waits for the
// lock only when another ingest holds it. Through pipes it never shows, so the CLI runs under
// `script` (a pseudo-terminal) where the machine has it.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type SpinnerSetting, spinnerStyle } from '../src/log.ts';
import { BIN, FIXTURES, workspace } from './support/cli.ts';

const terminal: SpinnerSetting = { format: 'text', quiet: false, collected: false, stream: { isTTY: true, columns: 100 }, env: {} };

describe('whether the spinner shows, and in colour', () => {
  it('shows on a sized terminal, in colour unless NO_COLOR is set (and not empty)', () => {
    assert.deepEqual(spinnerStyle(terminal), { color: 'cyan' });
    assert.deepEqual(spinnerStyle({ ...terminal, env: { NO_COLOR: '1' } }), { color: false });
    assert.deepEqual(spinnerStyle({ ...terminal, env: { NO_COLOR: '' } }), { color: 'cyan' });
  });

  it('never without a terminal, with --quiet, with JSON logs, or on a terminal of no width', () => {
    assert.equal(spinnerStyle({ ...terminal, stream: { isTTY: false, columns: 100 } }), undefined);
    assert.equal(spinnerStyle({ ...terminal, quiet: true }), undefined);
    assert.equal(spinnerStyle({ ...terminal, format: 'json' }), undefined);
    assert.equal(spinnerStyle({ ...terminal, stream: { isTTY: true, columns: 0 } }), undefined);
  });
});

const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

/**
 * `usage-etl ARGS` on a 100-column xterm; everything it drew, as bytes. TERM is set and CI unset
 * because ora's colour follows them (no TERM, or any CI variable, means no colour): a CI runner's
 * environment must not decide what this test sees.
 */
function onTerminal(args: string[], env: Record<string, string>): string {
  const { dir } = workspace();
  const quoted = [process.execPath, BIN, ...args].map((arg) => `'${arg}'`).join(' ');
  const settings = Object.entries(env).map(([key, value]) => `${key}=${value}`).join(' ');
  return execFileSync('script', ['-qec', `stty cols 100 rows 30; env -u NO_COLOR -u FORCE_COLOR -u CI TERM=xterm-256color ${settings} ${quoted}`, '/dev/null'], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
    maxBuffer: 1 << 20,
  });
}

describe('the spinner on a terminal', { skip: !hasScript && 'no `script` on this machine' }, () => {
  const args = ['--db', 'usage.db', 'ingest', '--dump', join(FIXTURES, 'sequence')];
  const colour = /\x1b\[3\dm/;

  it('draws in colour by default, and without any colour code under NO_COLOR=1', () => {
    const coloured = onTerminal(args, {});
    assert.match(coloured, /surveying|reading/, 'the spinner was drawn');
    assert.match(coloured, colour);
    const plain = onTerminal(args, { NO_COLOR: '1' });
    assert.match(plain, /surveying|reading/, 'the spinner was drawn');
    assert.doesNotMatch(plain, colour);
  });

  it('does not say it waits for the lock when no other ingest runs', () => {
    assert.doesNotMatch(onTerminal(args, { NO_COLOR: '1' }), /waiting/);
  });
});
