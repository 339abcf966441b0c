// The HTTP client's retry rules (SPEC §4.3) against a real server on 127.0.0.1, with short delays.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HttpClient, HttpError, retryAfterMs } from '../src/http.ts';
import { ROOT } from './support/cli.ts';

type Answer = (req: IncomingMessage, res: ServerResponse) => void;

describe('HttpClient', () => {
  const answers: Answer[] = [];
  const seen: number[] = [];
  let base = '';
  const server = createServer((req, res) => {
    seen.push(Date.now());
    const answer = answers.shift() ?? ((_, r) => r.writeHead(200).end('{"ok":true}'));
    answer(req, res);
  });
  before(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  const status = (code: number, headers: Record<string, string> = {}): Answer => (_, res) => res.writeHead(code, headers).end();
  const drop: Answer = (req) => req.socket.destroy();
  const client = (options: ConstructorParameters<typeof HttpClient>[0] = {}) => new HttpClient({ baseDelayMs: 10, maxDelayMs: 50, ...options });
  const fresh = (...queued: Answer[]) => {
    answers.length = 0;
    seen.length = 0;
    answers.push(...queued);
  };

  it('retries 429, 502, 503, 504 and dropped connections, then returns the answer', async () => {
    fresh(status(429), status(502), status(503), status(504), drop);
    const http = client({ attempts: 6 });
    const response = await http.send(`${base}/x`);
    await http.close();
    assert.equal(response.status, 200);
    assert.equal(seen.length, 6);
  });

  it('does not retry other 4xx or 500: the status is the answer', async () => {
    for (const code of [400, 403, 404, 409, 500]) {
      fresh(status(code));
      const http = client();
      assert.equal((await http.send(`${base}/x`)).status, code);
      await http.close();
      assert.equal(seen.length, 1, `${code} asked once`);
    }
  });

  it('gives up after its attempts, saying how often and what it got', async () => {
    fresh(status(503), status(503), status(503));
    const http = client({ attempts: 3 });
    await assert.rejects(http.send(`${base}/servers/detail?limit=1000`), (err: unknown) => {
      assert.ok(err instanceof HttpError);
      assert.equal(err.status, 503);
      assert.match(err.message, /^GET http:\/\/127\.0\.0\.1:\d+\/servers\/detail: 503 Service Unavailable after 3 attempts/);
      return true;
    });
    await http.close();
  });

  it('honours Retry-After in seconds, and does not wait beyond its total budget', async () => {
    fresh(status(503, { 'retry-after': '1' }));
    const http = client();
    await http.send(`${base}/x`);
    assert.ok(seen[1]! - seen[0]! >= 950, `waited ${seen[1]! - seen[0]!} ms`);
    fresh(status(429, { 'retry-after': '120' }));
    const bounded = client({ budgetMs: 5000 });
    await assert.rejects(bounded.send(`${base}/x`), /429 Too Many Requests/);
    assert.equal(seen.length, 1, 'a wait beyond the budget is not started');
    await Promise.all([http.close(), bounded.close()]);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-11-22T02:00:00Z');
    assert.equal(retryAfterMs('7', now), 7000);
    assert.equal(retryAfterMs('Sun, 22 Nov 2026 02:00:30 GMT', now), 30_000);
    assert.equal(retryAfterMs('Sun, 22 Nov 2026 01:00:00 GMT', now), 0, 'a date in the past: at once');
    assert.equal(retryAfterMs('soon', now), undefined, 'nonsense: our own backoff');
  });

  it('backs off with jitter: waits grow, and are not all the same', async () => {
    fresh(status(503), status(503), status(503), status(503));
    const http = client({ baseDelayMs: 40, maxDelayMs: 1000, attempts: 5 });
    await http.send(`${base}/x`);
    await http.close();
    const gaps = seen.slice(1).map((t, i) => t - seen[i]!);
    // Ceilings 40, 80, 160, 320 ms; each wait lies between half its ceiling and the ceiling.
    gaps.forEach((gap, i) => assert.ok(gap >= 20 * 2 ** i - 5, `wait ${i + 1} was ${gap} ms`));
    assert.ok(gaps[3]! > gaps[0]!, `waits grow: ${gaps.join(', ')}`);
  });

  it('a refused connection is retried, then named as such', async () => {
    const http = client({ attempts: 2 });
    await assert.rejects(http.send('http://127.0.0.1:9/nothing-listens'), /GET http:\/\/127\.0\.0\.1:9\/nothing-listens: connection refused after 2 attempts/);
    await http.close();
  });

  it('keeps at most max_requests_per_host requests in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const slow: Answer = (_, res) => {
      most = Math.max(most, ++inFlight);
      setTimeout(() => {
        inFlight--;
        res.writeHead(200).end('{}');
      }, 30);
    };
    fresh(...Array.from({ length: 12 }, () => slow));
    const http = client({ maxPerHost: 3 });
    await Promise.all(Array.from({ length: 12 }, (_, i) => http.send(`${base}/p${i}`)));
    await http.close();
    assert.equal(most, 3);
  });

  describe('TLS', () => {
    // A self-signed certificate for 127.0.0.1, made for these tests (openssl req -x509, 100 years).
    const tls = join(ROOT, 'test', 'support', 'tls');
    const secure = createTlsServer({ key: readFileSync(join(tls, 'key.pem')), cert: readFileSync(join(tls, 'cert.pem')) }, (_, res) =>
      res.writeHead(200).end('{}'),
    );
    let url = '';
    before(async () => {
      secure.listen(0, '127.0.0.1');
      await once(secure, 'listening');
      url = `https://127.0.0.1:${(secure.address() as AddressInfo).port}/v3`;
    });
    after(() => {
      secure.closeAllConnections();
      secure.close();
    });

    it('verifies certificates: an unknown CA fails at once, saying what to set', async () => {
      const http = client();
      await assert.rejects(http.send(url), /TLS certificate not trusted .*set cacert, or verify: false/);
      await http.close();
    });

    it('trusts the CA of cacert, or anything with verify: false', async () => {
      for (const options of [{ cacert: join(tls, 'cert.pem') }, { verify: false }]) {
        const http = client(options);
        assert.equal((await http.send(url)).status, 200);
        await http.close();
      }
    });
  });
});
