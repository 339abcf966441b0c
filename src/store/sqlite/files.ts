// Accounting logs a `kind: pbs` source has read through, with their size and modification time.
import type { FilesRead } from '../index.ts';
import type { Statements } from './statements.ts';

export function sqliteFilesRead(s: Statements): FilesRead {
  return {
    async unchanged(source, files) {
      const seen = s.sql('SELECT size, mtime_ms AS mtimeMs FROM source_files WHERE source = ? AND path = ?');
      const unchanged = new Set<string>();
      for (const file of files) {
        const row = seen.get(source, file.path) as { size: number; mtimeMs: number } | undefined;
        if (row && row.size === file.size && row.mtimeMs === file.mtimeMs) unchanged.add(file.path);
      }
      return unchanged;
    },
    async record(source, files, at) {
      const upsert = s.sql(
        `INSERT INTO source_files (source, path, size, mtime_ms, read_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (source, path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, read_at = excluded.read_at`,
      );
      s.write(() => {
        for (const file of files) upsert.run(source, file.path, file.size, file.mtimeMs, at);
      });
    },
  };
}
