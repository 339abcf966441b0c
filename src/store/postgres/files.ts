// Accounting logs a `kind: pbs` source has read through, as sqlite/files.ts.
import type { FilesRead } from '../index.ts';
import type { Db } from './db.ts';
import type { PostgresLock } from './lock.ts';

export function postgresFilesRead(db: Db, lock: PostgresLock): FilesRead {
  return {
    async unchanged(source, files) {
      await lock.source(source);
      const unchanged = new Set<string>();
      if (!files.length) return unchanged;
      const rows = await db.arrays<[string, number, number]>('SELECT path, size, mtime_ms FROM source_files WHERE source = $1 AND path = ANY($2::text[])', [
        source,
        files.map((file) => file.path),
      ]);
      const seen = new Map(rows.map(([path, size, mtimeMs]) => [path, { size, mtimeMs }]));
      for (const file of files) {
        const row = seen.get(file.path);
        if (row && row.size === file.size && row.mtimeMs === file.mtimeMs) unchanged.add(file.path);
      }
      return unchanged;
    },
    async record(source, files, at) {
      await lock.source(source);
      await db.transaction(async () => {
        for (const file of files) {
          await db.run(
            `INSERT INTO source_files (source, path, size, mtime_ms, read_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (source, path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, read_at = excluded.read_at`,
            [source, file.path, file.size, file.mtimeMs, at],
          );
        }
      });
    },
  };
}
