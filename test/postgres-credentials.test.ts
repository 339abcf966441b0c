// Where a PostgreSQL password comes from (SPEC §10: the URL, PGPASSWORD or ~/.pgpass) and that it is
// never shown. Our servers trust local connections and never ask for one, so a small server on
// 127.0.0.1 speaks the start of PostgreSQL's protocol: it asks for the password in clear, keeps
// what the client sends, and refuses the login as a real server refuses a wrong password.
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, workspace } from './support/cli.ts';

/** A PostgreSQL message: its type byte, its length (itself included) and its body. */
function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

const ASK_CLEARTEXT = message('R', Buffer.from([0, 0, 0, 3]));
const REFUSED = message(
  'E',
  Buffer.from(['SFATAL', 'VFATAL', 'C28P01', 'Mpassword authentication failed for user "collector"', ''].join('\0') + '\0', 'utf8'),
);

/** The passwords the server was sent, in order. */
const received: string[] = [];
/** The user name of each login, from its startup message. */
const users: string[] = [];
let server: Server;
let port = 0;

before(async () => {
  server = createServer((socket) => {
    let buffered = Buffer.alloc(0);
    let started = false;
    let answered = false;
    socket.on('data', (chunk) => {
      if (answered) return; // the client's goodbye after the refusal
      buffered = Buffer.concat([buffered, chunk]);
      if (!started) {
        // The startup message: a length and no type byte.
        if (buffered.length < 4 || buffered.length < buffered.readInt32BE(0)) return;
        // After the length and the protocol version: name, NUL, value, NUL… and a final NUL.
        const fields = buffered.toString('utf8', 8, buffered.readInt32BE(0) - 1).split('\0');
        users.push(fields[fields.indexOf('user') + 1] ?? '');
        buffered = buffered.subarray(buffered.readInt32BE(0));
        started = true;
        socket.write(ASK_CLEARTEXT);
      }
      // The password message: 'p', its length, the password and a NUL.
      if (buffered.length < 5 || buffered.length < 1 + buffered.readInt32BE(1)) return;
      received.push(buffered.toString('utf8', 5, buffered.readInt32BE(1)).replace(/\0$/, ''));
      answered = true;
      socket.end(REFUSED);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** `usage-etl status` against the server, as `collector`, with HOME (for ~/.pgpass) in a fresh folder. */
async function login(url: string, env: Record<string, string | undefined> = {}, pgpass?: string) {
  const { dir } = workspace();
  if (pgpass !== undefined) {
    writeFileSync(join(dir, '.pgpass'), pgpass);
    chmodSync(join(dir, '.pgpass'), 0o600);
  }
  const before = received.length;
  const run = await runCli(['--db', url, 'status'], { cwd: dir, env: { PGPASSWORD: undefined, PGPASSFILE: undefined, ...env } });
  return { ...run, sent: received.slice(before) };
}

describe('PostgreSQL credentials, against a server that asks for a password', () => {
  it('sends the password of ~/.pgpass for that host, port, database and user, and shows it nowhere', async () => {
    const run = await login(`postgres://collector@127.0.0.1:${port}/usage`, {}, `127.0.0.1:${port}:usage:collector:from-pgpass-7\n`);
    assert.deepEqual(run.sent, ['from-pgpass-7']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, new RegExp(`^usage-etl: cannot use PostgreSQL at 127\\.0\\.0\\.1:${port}/usage: the server refused the login .*PGPASSWORD or ~/\\.pgpass\\n$`));
    assert.doesNotMatch(run.stdout + run.stderr, /from-pgpass-7/);
  });

  it('prefers PGPASSWORD to ~/.pgpass, and the URL\'s password to both', async () => {
    const pgpass = `*:*:*:*:from-pgpass-8\n`;
    const fromEnv = await login(`postgres://collector@127.0.0.1:${port}/usage`, { PGPASSWORD: 'from-env-8' }, pgpass);
    assert.deepEqual(fromEnv.sent, ['from-env-8']);
    const fromUrl = await login(`postgres://collector:from-url-8@127.0.0.1:${port}/usage`, { PGPASSWORD: 'from-env-8' }, pgpass);
    assert.deepEqual(fromUrl.sent, ['from-url-8']);
    for (const run of [fromEnv, fromUrl]) {
      assert.equal(run.code, 1);
      assert.doesNotMatch(run.stdout + run.stderr, /from-(env|url|pgpass)-8/);
    }
  });

  it('logs in as the operating system\'s user when neither the URL nor PGUSER names one, even without $USER (cron)', async () => {
    const before = users.length;
    const run = await login(`postgres://127.0.0.1:${port}/usage`, { USER: undefined, PGUSER: undefined, PGPASSWORD: 'x' });
    assert.equal(run.code, 1);
    assert.deepEqual(users.slice(before), [userInfo().username]);
  });

  it('ignores a ~/.pgpass others may read, as libpq does: no password is sent', async () => {
    const { dir } = workspace();
    writeFileSync(join(dir, '.pgpass'), `*:*:*:*:world-readable-9\n`);
    chmodSync(join(dir, '.pgpass'), 0o644);
    const before = received.length;
    const run = await runCli(['--db', `postgres://collector@127.0.0.1:${port}/usage`, 'status'], { cwd: dir, env: { PGPASSWORD: undefined, PGPASSFILE: undefined } });
    assert.equal(run.code, 1);
    assert.ok(!received.slice(before).includes('world-readable-9'), 'the password of a readable ~/.pgpass was sent');
  });
});
