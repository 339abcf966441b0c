// Live OpenStack collection (issue 3) against a fake OpenStack on 127.0.0.1, through the real CLI.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type CliResult, runCli, workspace } from './support/cli.ts';
import { readOnly } from './support/db.ts';
import { CREDENTIALS, FakeOpenStack, sampleCloud } from './support/fake-openstack.ts';

const ALL_TYPES = ['vm', 'flavor', 'volume', 'volume_snapshot', 'image', 'tenant', 'keystone_user', 'membership', 'swift_account'];

interface Site {
  readonly dir: string;
  readonly db: string;
  run(args?: string[], env?: Record<string, string | undefined>): Promise<CliResult>;
}

/** A working directory with clouds.yaml, secure.yaml (the password) and usage-etl.yaml. */
function site(fake: FakeOpenStack, options: { source?: string; cloud?: string; secure?: boolean } = {}): Site {
  const { dir, db } = workspace();
  const cloud = options.cloud ?? `    region_name: sa\n    interface: internal\n`;
  writeFileSync(
    join(dir, 'clouds.yaml'),
    `clouds:\n  nectar:\n    auth:\n      auth_url: ${fake.authUrl}\n      username: ${CREDENTIALS.username}\n` +
      `      project_name: ${CREDENTIALS.projectName}\n      user_domain_name: Default\n      project_domain_name: Default\n${cloud}`,
  );
  if (options.secure !== false) writeFileSync(join(dir, 'secure.yaml'), `clouds:\n  nectar:\n    auth:\n      password: '${CREDENTIALS.password}'\n`);
  writeFileSync(join(dir, 'usage-etl.yaml'), `sources:\n  nectar-sa:\n    kind: openstack\n    cloud: nectar\n${options.source ?? ''}`);
  return { dir, db, run: (args = ['ingest'], env = {}) => runCli(args, { cwd: dir, env: { OS_CLOUD: undefined, OS_AUTH_URL: undefined, ...env } }) };
}

function summaryLine(result: CliResult, type: string): string {
  const line = result.stdout.split('\n').find((l) => l.startsWith(`nectar-sa ${type} `));
  assert.ok(line, `a summary line for ${type} in:\n${result.stdout}\n${result.stderr}`);
  return line;
}

function current(db: string, type: string): Record<string, Record<string, unknown>> {
  return readOnly(db, (conn) => {
    const rows = conn
      .prepare(
        `SELECT current.resource_key AS key, changes.record AS record FROM current
         JOIN series ON series.id = current.series_id JOIN changes ON changes.id = current.change_id
         WHERE series.resource_type = ? ORDER BY current.resource_key`,
      )
      .all(type) as { key: string; record: string }[];
    return Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.record)]));
  });
}

function snapshotCount(db: string, type: string): number {
  return readOnly(db, (conn) =>
    conn.prepare('SELECT count(*) FROM snapshots JOIN series ON series.id = snapshots.series_id WHERE series.resource_type = ?').pluck().get(type) as number,
  );
}

describe('live OpenStack collection', { concurrency: 1 }, () => {
  let fake: FakeOpenStack;
  before(async () => {
    fake = await new FakeOpenStack(sampleCloud()).start();
  });
  after(() => fake.close());

  describe('a healthy cloud, small pages', () => {
    let s: Site;
    let first: CliResult;
    before(async () => {
      fake.requests.length = 0;
      fake.options.pageSize = 2;
      fake.options.snapshotsWithoutLinks = true;
      fake.options.keystoneUserPage = 2;
      fake.options.linkHost = 'http://nova-internal.invalid:8774';
      s = site(fake);
      first = await s.run();
    });
    after(() => {
      Object.assign(fake.options, { pageSize: 1000, snapshotsWithoutLinks: false, keystoneUserPage: undefined, linkHost: undefined });
    });

    it('collects every type of the source with one summary line each, and exits 0', () => {
      assert.equal(first.code, 0, first.stderr);
      const expected: Record<string, number> = { vm: 3, flavor: 2, volume: 2, volume_snapshot: 3, image: 4, tenant: 3, keystone_user: 3, membership: 2, swift_account: 2 };
      for (const type of ALL_TYPES) assert.match(summaryLine(first, type), new RegExp(`added ${expected[type]}, modified 0, removed 0\\b`), type);
    });

    it('follows every paging style: *_links, Glance next, links.next, and a marker when a full page has no link', () => {
      // Pages without a link are followed once more from their last id, in case the service capped them.
      assert.equal(fake.requestsTo(/\/servers\/detail/).length, 3, 'three servers in pages of two, then an empty page');
      assert.equal(fake.requestsTo(/\/snapshots\/detail/).length, 3, 'marker fallback: no links at all, pages until an empty one');
      assert.equal(fake.requestsTo(/\/v2\/images/).length, 5, 'visible images in two pages (Glance next), hidden ones in one');
      assert.equal(fake.requestsTo(/\/v3\/users/).length, 2, 'Keystone links.next');
      assert.deepEqual(Object.keys(current(s.db, 'image')).sort(), ['img-1', 'img-2', 'img-3', 'img-4'], 'community and hidden images included');
      // Glance's next link is relative: it is joined to the endpoint with its /sa/internal/image prefix.
      for (const r of fake.requestsTo(/\/v2\/images/)) assert.match(r.url, /^\/sa\/internal\/image\/v2\/images\?/);
    });

    it('never piles query parameters up on followed links, and aims them at the catalog host', () => {
      for (const r of fake.requests) {
        const query = new URL(r.url, fake.base).searchParams;
        for (const name of new Set(query.keys())) assert.equal(query.getAll(name).length, 1, `${name} once in ${r.url}`);
      }
      // The next links named nova-internal.invalid; the requests still reached this server.
      assert.ok(fake.requestsTo(/\/servers\/detail\?.*marker=s-2/).length === 1);
    });

    it('uses the region and interface of clouds.yaml, and pins Nova microversion 2.69', () => {
      const services = fake.requests.filter((r) => !r.url.startsWith('/identity/v3/auth'));
      for (const r of services) assert.match(r.url, /^\/sa\/internal\//, r.url);
      for (const r of fake.requestsTo(/\/servers\/detail/)) assert.equal(r.headers['openstack-api-version'], 'compute 2.69');
      const vm = current(s.db, 'vm');
      assert.deepEqual(
        { flavor_id: vm['s-2']!.flavor_id, flavor_name: vm['s-2']!.flavor_name, vcpus: vm['s-2']!.vcpus, ram_mb: vm['s-2']!.ram_mb, disk_gb: vm['s-2']!.disk_gb },
        { flavor_id: 'f-large', flavor_name: 'm3.large', vcpus: 8, ram_mb: 16384, disk_gb: 30 },
        'the flavor embedded since 2.47, its id from the flavor list by name',
      );
    });

    it('reads Swift usage per project account; a project without an account is skipped', () => {
      const accounts = current(s.db, 'swift_account');
      assert.deepEqual(Object.keys(accounts), ['AUTH_p-alpha', 'AUTH_p-beta']);
      assert.deepEqual(accounts['AUTH_p-alpha'], { bytes: 5_000_000_000, containers: 3, objects: 1200, quota_bytes: 10_000_000_000 });
      assert.equal(fake.requestsTo(/\/swift\/v1\/AUTH_p-admin$/, 'HEAD').length, 1, 'asked, answered 404, not an error');
    });

    it('a second run of an unchanged cloud changes nothing and says so quietly with -q', async () => {
      const again = await s.run(['-q', 'ingest']);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(again.stdout + again.stderr, '');
      for (const type of ALL_TYPES) assert.equal(snapshotCount(s.db, type), 2, type);
    });
  });

  it('--dry-run collects and diffs, prints the counts, and writes nothing', async () => {
    const s = site(fake, { source: '    types: [vm, image]\n' });
    const result = await s.run(['ingest', '--dry-run']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(summaryLine(result, 'vm'), /added 3\b.*\[dry run\]/);
    assert.deepEqual(readdirSync(s.dir).filter((f) => f.startsWith('usage.db')), [], 'no database made');
  });

  describe('Nova microversions and lists that shift', () => {
    const vmOf = async (options: Partial<FakeOpenStack['options']>) => {
      const saved = { ...fake.options };
      Object.assign(fake.options, options);
      fake.requests.length = 0;
      try {
        const s = site(fake, { source: '    types: [vm]\n' });
        const result = await s.run();
        assert.equal(result.code, 0, result.stderr);
        return { result, vm: current(s.db, 'vm'), header: fake.requestsTo(/\/servers\/detail/)[0]!.headers['openstack-api-version'] };
      } finally {
        Object.assign(fake.options, saved);
      }
    };

    it('pins 2.47 on a Nova that stops between 2.47 and 2.69', async () => {
      const { header, vm } = await vmOf({ novaMaxVersion: '2.60' });
      assert.equal(header, 'compute 2.47');
      assert.equal(vm['s-1']!.vcpus, 2);
    });

    it('falls back to 2.1 on an old Nova, taking vcpus, ram and disk from the flavor list', async () => {
      const { header, vm } = await vmOf({ novaMaxVersion: '2.38' });
      assert.equal(header, undefined, 'no microversion asked for');
      assert.deepEqual([vm['s-2']!.flavor_id, vm['s-2']!.flavor_name, vm['s-2']!.vcpus, vm['s-2']!.ram_mb, vm['s-2']!.disk_gb], ['f-large', 'm3.large', 8, 16384, 30]);
    });

    it('a Nova upgraded from 2.1 to 2.69, and back, modifies no server', async () => {
      const saved = { ...fake.options };
      const s = site(fake, { source: '    types: [vm]\n' });
      try {
        for (const [version, added] of [['2.38', 3], ['2.79', 0], ['2.38', 0]] as const) {
          fake.options.novaMaxVersion = version;
          const result = await s.run();
          assert.equal(result.code, 0, result.stderr);
          assert.match(summaryLine(result, 'vm'), new RegExp(`added ${added}, modified 0, removed 0\\b`), `Nova at ${version}`);
        }
        assert.deepEqual([current(s.db, 'vm')['s-1']!.flavor_id, current(s.db, 'vm')['s-1']!.flavor_name], ['f-small', 'm3.small']);
      } finally {
        Object.assign(fake.options, saved);
      }
    });

    it('drops an item a shifted list repeats on the next page, without a warning', async () => {
      const { result, vm } = await vmOf({ pageSize: 2, repeatAcrossPages: true });
      assert.deepEqual(Object.keys(vm), ['s-1', 's-2', 's-3']);
      assert.match(summaryLine(result, 'vm'), /added 3\b/);
      assert.equal(result.stderr, '');
    });
  });

  it('a service missing from the catalog fails only the types that need it', async () => {
    fake.options.missingServices = ['object-store'];
    try {
      const s = site(fake, { source: '    types: [flavor, swift_account]\n' });
      const result = await s.run();
      assert.equal(result.code, 1);
      assert.match(result.stderr, /nectar-sa swift_account: the catalog has no internal object-store endpoint \(service type object-store\) in region sa/);
      assert.match(summaryLine(result, 'flavor'), /added 2\b/);
    } finally {
      fake.options.missingServices = undefined;
    }
  });

  describe('credentials', () => {
    it('authenticates with an application credential from the OS_* environment, without a cloud name', async () => {
      const { dir } = workspace();
      writeFileSync(join(dir, 'usage-etl.yaml'), 'sources:\n  nectar-sa:\n    kind: openstack\n    region: melbourne\n    types: [flavor]\n');
      fake.requests.length = 0;
      const result = await runCli(['ingest'], {
        cwd: dir,
        env: {
          OS_CLOUD: undefined,
          OS_AUTH_URL: fake.authUrl,
          OS_AUTH_TYPE: 'v3applicationcredential',
          OS_APPLICATION_CREDENTIAL_ID: CREDENTIALS.applicationCredentialId,
          OS_APPLICATION_CREDENTIAL_SECRET: CREDENTIALS.applicationCredentialSecret,
        },
      });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /nectar-sa flavor .*added 2\b/);
      // The source's region wins; the interface defaults to public.
      assert.ok(fake.requestsTo(/^\/melbourne\/public\/compute\/v2\.1\/flavors\/detail/).length >= 1);
    });

    it('refuses a cloud without a password, naming the cloud and the key (exit 2, nothing done)', async () => {
      const s = site(fake, { secure: false });
      const result = await s.run();
      assert.equal(result.code, 2);
      assert.match(result.stderr, /clouds\.yaml: clouds\.nectar: password is missing/);
      assert.deepEqual(readdirSync(s.dir).filter((f) => f.startsWith('usage.db')), []);
    });

    it('a wrong password: exit 1, one line for the source (not one per type), no secret anywhere', async () => {
      const s = site(fake);
      writeFileSync(join(s.dir, 'secure.yaml'), "clouds:\n  nectar:\n    auth:\n      password: 'wrong-pw-not-in-any-output'\n");
      const result = await s.run(['-v', 'ingest']);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^usage-etl: nectar-sa: authentication at .*auth\/tokens failed: 401 Unauthorized.*; nothing was written$/m);
      assert.equal(result.stderr.split('\n').filter(Boolean).length, 1, result.stderr);
      assert.ok(!`${result.stdout}${result.stderr}`.includes('wrong-pw-not-in-any-output'));
    });
  });

  describe('faults', () => {
    it('retries 503, 429 with Retry-After and a dropped connection, then succeeds', async () => {
      const s = site(fake, { source: '    types: [flavor, volume, image]\n' });
      fake.requests.length = 0;
      fake.fault({ path: /\/flavors\/detail/, status: 503, times: 2 });
      fake.fault({ path: /\/volumes\/detail/, status: 429, headers: { 'retry-after': '1' }, times: 1 });
      fake.fault({ path: /\/v2\/images/, drop: true, times: 1 });
      const result = await s.run();
      assert.equal(result.code, 0, result.stderr);
      // Each list: the failed attempts, the page, and the empty page that ends it.
      assert.equal(fake.requestsTo(/\/flavors\/detail/).length, 4);
      const volumes = fake.requestsTo(/\/volumes\/detail/);
      assert.equal(volumes.length, 3);
      assert.ok(volumes[1]!.at - volumes[0]!.at >= 900, 'waited as Retry-After asked');
      assert.match(result.stdout, /nectar-sa image .*added 4\b/);
    });

    it('a refused Keystone login: exit 1 with one line for the source (the cause, the URL), its retries only with -v', async () => {
      const s = site(fake);
      const refuse = () => {
        fake.fault({ method: 'POST', path: /\/auth\/tokens/, status: 503, times: 2 });
        fake.fault({ method: 'POST', path: /\/auth\/tokens/, status: 401, times: 1 });
      };
      const failure = /^usage-etl: nectar-sa: authentication at http:\/\/127\.0\.0\.1:\d+\/identity\/v3\/auth\/tokens failed: 401 Unauthorized \(check the credentials of nectar\); nothing was written$/;
      refuse();
      const cron = await s.run();
      assert.equal(cron.code, 1);
      assert.equal(cron.stdout, '');
      const said = cron.stderr.split('\n').filter(Boolean);
      assert.equal(said.length, 1, cron.stderr);
      assert.match(said[0]!, failure);

      refuse();
      const verbose = await s.run(['-v', 'ingest']);
      assert.equal(verbose.code, 1);
      const lines = verbose.stderr.split('\n').filter(Boolean);
      assert.equal(lines.filter((line) => /^nectar-sa: POST .*\/auth\/tokens: 503 Service Unavailable; retrying in/.test(line)).length, 2, verbose.stderr);
      assert.equal(lines.filter((line) => failure.test(line)).length, 1, verbose.stderr);
      assert.equal(lines.length, 3, verbose.stderr);
      assert.ok(!verbose.stderr.includes(CREDENTIALS.password));
      assert.equal(snapshotCount(s.db, 'vm'), 0);
    });

    it('does not retry a 404, and re-authenticates once on a 401', async () => {
      const s = site(fake, { source: '    types: [flavor, keystone_user]\n' });
      fake.requests.length = 0;
      fake.fault({ path: /\/flavors\/detail/, status: 404, times: 1 });
      await s.run(['-q', 'ingest', 'nectar-sa']).then((r) => {
        assert.equal(r.code, 1);
        assert.match(r.stderr, /nectar-sa flavor: GET .*\/flavors\/detail: page 1: 404 Not Found; nothing was written for flavor/);
      });
      assert.equal(fake.requestsTo(/\/flavors\/detail/).length, 1, 'a 404 is not retried');
      assert.equal(snapshotCount(s.db, 'flavor'), 0);
      assert.equal(snapshotCount(s.db, 'keystone_user'), 1, 'the other type of the run committed');

      fake.requests.length = 0;
      fake.fault({ path: /\/v3\/users/, status: 401, times: 1 });
      const renewed = await s.run(['-q', 'ingest']);
      assert.equal(renewed.code, 0, renewed.stderr);
      assert.equal(fake.requestsTo(/\/auth\/tokens/, 'POST').length, 2, 'one token, then one fresh one after the 401');
    });

    it('a page that keeps failing fails its type with exit 1 and removes nothing; the next healthy run removes', async () => {
      const s = site(fake, { source: '    types: [vm, flavor]\n' });
      fake.options.pageSize = 2;
      try {
        assert.equal((await s.run(['-q', 'ingest'])).code, 0);
        const removed = fake.data.servers.shift()!;
        fake.fault({ path: /\/servers\/detail\?.*marker=/, status: 503 });
        const failing = await s.run();
        fake.faults.length = 0;
        assert.equal(failing.code, 1);
        assert.match(failing.stderr, /nectar-sa vm: GET .*\/servers\/detail: page 2: 503 Service Unavailable after 5 attempts/);
        assert.match(failing.stdout, /nectar-sa flavor .*unchanged 2\b/, 'the other type still committed');
        assert.equal(snapshotCount(s.db, 'vm'), 1, 'nothing written for vm');
        assert.ok(current(s.db, 'vm')[String(removed.id)], 'the server absent from the first page is not removed');

        const healthy = await s.run();
        assert.equal(healthy.code, 0, healthy.stderr);
        assert.match(summaryLine(healthy, 'vm'), /added 0, modified 0, removed 1, unchanged 2\b/);
        fake.data.servers.unshift(removed);
      } finally {
        fake.faults.length = 0;
        fake.options.pageSize = 1000;
      }
    });

    it('Keystone truncated: true and down-cell UNKNOWN servers make the snapshot incomplete: nothing removed', async () => {
      const s = site(fake, { source: '    types: [vm, tenant]\n' });
      assert.equal((await s.run(['-q', 'ingest'])).code, 0);
      const saved = { servers: fake.data.servers, limit: fake.options.keystoneListLimit };
      fake.options.keystoneListLimit = 2;
      // s-3's cell is down: Nova 2.69 answers with its id and status only; s-2 is gone.
      fake.data.servers = [saved.servers[0]!, { id: 's-3', status: 'UNKNOWN', tenant_id: 'p-beta', created: '2026-11-01T01:00:00Z' }];
      try {
        const result = await s.run();
        assert.equal(result.code, 0, result.stderr);
        assert.match(summaryLine(result, 'tenant'), /removed 0\b.*incomplete.*truncated/);
        assert.match(summaryLine(result, 'vm'), /modified 0, removed 0\b.*incomplete.*partly described/);
        assert.equal(current(s.db, 'vm')['s-3']!.status, 'SHUTOFF', 'the UNKNOWN record is not a modification');
      } finally {
        fake.data.servers = saved.servers;
        fake.options.keystoneListLimit = saved.limit;
      }
    });

    it('an API that suddenly answers an empty list is refused by the mass-removal guard', async () => {
      const s = site(fake, { source: '    types: [volume_snapshot]\n' });
      const saved = fake.data.snapshots;
      fake.data.snapshots = Array.from({ length: 12 }, (_, i) => ({ ...saved[0], id: `vs-${i}` }));
      try {
        assert.equal((await s.run(['-q', 'ingest'])).code, 0);
        fake.data.snapshots = [];
        const result = await s.run();
        assert.equal(result.code, 1);
        assert.match(result.stderr, /remove 12 of 12/);
        assert.equal(Object.keys(current(s.db, 'volume_snapshot')).length, 12);
      } finally {
        fake.data.snapshots = saved;
      }
    });
  });

  it('keeps passwords, secrets and tokens out of output, logs, the database and exports', async () => {
    const s = site(fake, { source: '    private_fields: keep\n' });
    fake.fault({ path: /\/flavors\/detail/, status: 503, times: 1 });
    fake.fault({ path: /\/v3\/users/, status: 401, times: 1 });
    const run = await s.run(['-v', '--log-format', 'json', 'ingest']);
    assert.equal(run.code, 0, run.stderr);
    const exported = await s.run(['export', '--from', '2026-01-01', '--to', '2030-12-31', '--report', 'inventory', '--report', 'changes', '--out', 'out']);
    assert.equal(exported.code, 0, exported.stderr);
    const everything = [
      run.stdout,
      run.stderr,
      exported.stdout,
      readFileSync(s.db).toString('latin1'),
      ...readdirSync(join(s.dir, 'out')).map((f) => readFileSync(join(s.dir, 'out', f), 'utf8')),
    ].join('\n');
    assert.ok(everything.includes('alice'), 'kept private fields do reach the database and exports');
    for (const secret of [CREDENTIALS.password, CREDENTIALS.applicationCredentialSecret, ...fake.issued]) {
      assert.ok(!everything.includes(secret), `${secret.slice(0, 12)}... appears somewhere`);
    }
  });

  describe('configuration errors: exit 2 naming the key', () => {
    const cases: { name: string; source: string; says: RegExp }[] = [
      { name: 'a type the kind cannot collect', source: '    types: [vm, job]\n', says: /sources\.nectar-sa\.types: job is not a type of kind openstack/ },
      { name: 'a bad max_requests_per_host', source: '    max_requests_per_host: 0\n', says: /sources\.nectar-sa\.max_requests_per_host: expected a whole number from 1/ },
      { name: 'a cloud clouds.yaml does not have', source: '', says: /no cloud named nectar/ },
    ];
    for (const { name, source, says } of cases) {
      it(name, async () => {
        const s = site(fake, { source });
        if (name.startsWith('a cloud')) writeFileSync(join(s.dir, 'clouds.yaml'), 'clouds:\n  other: {auth: {auth_url: "http://127.0.0.1:9"}}\n');
        const result = await s.run();
        assert.equal(result.code, 2, result.stderr);
        assert.match(result.stderr, says);
      });
    }

    it('a region the catalog does not have: exit 1 naming the regions it has', async () => {
      const s = site(fake, { source: '    region: perth\n    types: [flavor]\n' });
      const result = await s.run();
      assert.equal(result.code, 1);
      assert.match(result.stderr, /nectar-sa flavor: the catalog has no internal compute endpoint in region perth \(regions: sa, melbourne\)/);
    });
  });
});
