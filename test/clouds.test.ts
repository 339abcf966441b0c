// Credentials as `openstack` CLI users have them (SPEC §4.2): clouds.yaml + secure.yaml, OS_* variables.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import { UsageError } from '../src/errors.ts';
import { resolveCloud, Secret } from '../src/sources/openstack/clouds.ts';
import { tokensUrl } from '../src/sources/openstack/keystone.ts';
import { tempDir } from './support/cli.ts';

const CLOUDS = `clouds:
  nectar:
    auth:
      auth_url: https://keystone.example.org:5000/v3/
      username: collector
      project_name: admin
      user_domain_name: Default
      project_domain_id: default
    region_name: [sa, melbourne]
    interface: internalURL
    cacert: /etc/ssl/site-ca.pem
  other:
    auth_type: v3applicationcredential
    auth:
      auth_url: https://keystone.example.org:5000
      application_credential_id: ac-1
      application_credential_secret: from-clouds-yaml
    verify: false
`;

function files(clouds = CLOUDS, secure?: string): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'clouds.yaml'), clouds);
  if (secure) writeFileSync(join(dir, 'secure.yaml'), secure);
  return dir;
}

const refused = (fn: () => unknown, message: RegExp) =>
  assert.throws(fn, (err: unknown) => err instanceof UsageError && message.test(err.message));

describe('clouds.yaml', () => {
  it('reads a cloud, with the password from secure.yaml merged on top', () => {
    const dir = files(CLOUDS, "clouds:\n  nectar:\n    auth:\n      password: 'p@ss: word'\n");
    const cloud = resolveCloud('nectar', { OS_CLIENT_CONFIG_FILE: join(dir, 'clouds.yaml'), OS_CLIENT_SECURE_FILE: join(dir, 'secure.yaml') });
    assert.equal(cloud.auth.password?.reveal(), 'p@ss: word');
    assert.equal(cloud.auth.userDomainName, 'Default');
    assert.equal(cloud.auth.projectDomainId, 'default');
    assert.equal(cloud.regionName, 'sa', 'the first of a region list');
    assert.equal(cloud.interface, 'internal', 'internalURL, the old spelling');
    assert.equal(cloud.cacert, '/etc/ssl/site-ca.pem');
    assert.equal(cloud.verify, true);
  });

  it('takes OS_CLOUD when the source names no cloud, and application credentials', () => {
    const dir = files();
    const cloud = resolveCloud(undefined, { OS_CLOUD: 'other', OS_CLIENT_CONFIG_FILE: join(dir, 'clouds.yaml') });
    assert.equal(cloud.auth.type, 'v3applicationcredential');
    assert.equal(cloud.auth.applicationCredentialSecret?.reveal(), 'from-clouds-yaml');
    assert.equal(cloud.verify, false);
  });

  it('finds ./clouds.yaml before ~/.config/openstack/clouds.yaml', () => {
    const home = tempDir();
    mkdirSync(join(home, '.config', 'openstack'), { recursive: true });
    writeFileSync(join(home, '.config', 'openstack', 'clouds.yaml'), 'clouds: {}\n');
    const here = files();
    const cwd = process.cwd();
    const oldHome = process.env.HOME;
    try {
      process.env.HOME = home;
      process.chdir(here);
      assert.equal(resolveCloud('other', {}).name, 'other');
      process.chdir(home);
      refused(() => resolveCloud('other', {}), /\.config\/openstack\/clouds\.yaml: no cloud named other \(it has: none\)/);
    } finally {
      process.chdir(cwd);
      process.env.HOME = oldHome;
    }
  });

  it('uses the OS_* variables of an openrc file when no cloud is named', () => {
    const cloud = resolveCloud(undefined, {
      OS_AUTH_URL: 'https://keystone.example.org:5000/v3',
      OS_USERNAME: 'collector',
      OS_PASSWORD: 'pw',
      OS_PROJECT_NAME: 'admin',
      OS_USER_DOMAIN_NAME: 'Default',
      OS_PROJECT_DOMAIN_NAME: 'Default',
      OS_REGION_NAME: 'sa',
      OS_INTERFACE: 'public',
    });
    assert.deepEqual([cloud.name, cloud.regionName, cloud.interface, cloud.auth.projectName], ['OS_* environment', 'sa', 'public', 'admin']);
  });

  it('says what is missing, naming the file and the cloud, never the secret', () => {
    const dir = files();
    const env = { OS_CLIENT_CONFIG_FILE: join(dir, 'clouds.yaml') };
    refused(() => resolveCloud('nectar', env), /clouds\.yaml: clouds\.nectar: password is missing \(put it in secure\.yaml/);
    refused(() => resolveCloud('nope', env), /no cloud named nope \(it has: nectar, other\)/);
    refused(() => resolveCloud(undefined, {}), /no cloud named .* and no OS_AUTH_URL/);
    refused(() => resolveCloud('nectar', { OS_CLIENT_CONFIG_FILE: '/nonexistent/clouds.yaml' }), /OS_CLIENT_CONFIG_FILE=\/nonexistent\/clouds\.yaml: no such file/);
    const typed = files("clouds:\n  x:\n    auth:\n      auth_url: https://k\n      username: u\n      password: [not, text]\n      project_name: p\n");
    assert.throws(
      () => resolveCloud('x', { OS_CLIENT_CONFIG_FILE: join(typed, 'clouds.yaml') }),
      (err: Error) => /auth\.password: expected text, found something else/.test(err.message) && !err.message.includes('not, text'),
    );
    refused(() => resolveCloud(undefined, { OS_AUTH_URL: 'https://k', OS_AUTH_TYPE: 'token' }), /OS_AUTH_TYPE: auth type token is not supported/);
  });

  it('a secret never prints, however it is logged', () => {
    const secret = new Secret('hunter2');
    for (const text of [String(secret), JSON.stringify({ secret }), inspect({ secret }), `${secret}`]) assert.ok(!text.includes('hunter2'), text);
    assert.equal(secret.reveal(), 'hunter2');
  });

  it('finds the token URL whatever auth_url looks like', () => {
    for (const url of ['https://k:5000', 'https://k:5000/', 'https://k:5000/v3', 'https://k:5000/v3/', 'https://k:5000/v2.0']) {
      assert.equal(tokensUrl(url), 'https://k:5000/v3/auth/tokens', url);
    }
    assert.equal(tokensUrl('https://k/identity'), 'https://k/identity/v3/auth/tokens');
  });
});
