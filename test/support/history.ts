// A history writer on a fresh SQLite file, for tests of the apply rules and the store.
import { join } from 'node:path';
import { DryRunWriter } from '../../src/ingest/dry-run.ts';
import type { ApplyOutcome } from '../../src/ingest/rules.ts';
import { StoreWriter } from '../../src/ingest/store-writer.ts';
import type { Snapshot } from '../../src/snapshot.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/index.ts';
import { tempDir } from './cli.ts';

export interface TestHistory {
  readonly path: string;
  readonly store: Store;
  apply(snapshot: Snapshot, allowMassRemoval?: boolean): Promise<ApplyOutcome>;
  /** A dry run over the same database. */
  dryRun(): DryRunWriter;
  close(): Promise<void>;
}

export async function freshHistory(path = join(tempDir(), 'usage.db')): Promise<TestHistory> {
  const store = await openStore(path);
  const writer = new StoreWriter(store);
  await writer.begin('test', 0, () => {});
  return {
    path,
    store,
    apply: (snapshot, allowMassRemoval = false) => writer.apply(snapshot, { allowMassRemoval }),
    dryRun: () => new DryRunWriter(store),
    close: async () => {
      await writer.finish('ok', undefined, { snapshots: 0, examined: 0, added: 0, modified: 0, removed: 0, unchanged: 0, rejected: 0, skipped: 0 });
      await store.close();
    },
  };
}
