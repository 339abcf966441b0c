// Which --db is a PostgreSQL URL, and how one is shown wherever it is printed or stored (SPEC §2, §10).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDatabaseUrl, maskPasswords } from '../src/store/url.ts';

describe('--db URLs', () => {
  it('postgres:// and postgresql:// name a PostgreSQL database; anything else is an SQLite file', () => {
    assert.deepEqual(
      ['postgres://u@h/db', 'POSTGRESQL://h/db', 'usage.db', './postgres://x', '/srv/postgres/usage.db', 'sqlite://x.db'].map(isDatabaseUrl),
      [true, true, false, false, false, false],
    );
  });

  it('a password is masked in the URL and in its query, up to the last @ of the authority, wherever the URL stands in a text', () => {
    assert.equal(maskPasswords('--db postgres://usage:s3cret@db:5432/usage ingest nectar-sa'), '--db postgres://usage:***@db:5432/usage ingest nectar-sa');
    assert.equal(maskPasswords('postgres://usage:p@ss@db/usage'), 'postgres://usage:***@db/usage');
    assert.equal(maskPasswords('postgresql://db/usage?user=u&password=s3cret&sslmode=require'), 'postgresql://db/usage?user=u&password=***&sslmode=require');
    assert.equal(maskPasswords('postgres://usage@db/usage and usage.db'), 'postgres://usage@db/usage and usage.db');
  });
});
