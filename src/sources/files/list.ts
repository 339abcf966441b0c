// Which files a `--dump PATH...` (or a source's `path`) names: files as given, directories walked recursively.
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UsageError } from '../../errors.ts';
import { byText } from '../../order.ts';

/**
 * Inside directories only dump-like names are read; a file named on the command line is always read.
 * PBS accounting logs are named by their day, YYYYMMDD, without an extension (SPEC §4.2); sacct
 * dumps are picked up when named *.sacct.
 */
const DUMP_NAME = /(\.(json|jsonl|ndjson|sacct)|^\d{8})(\.(gz|xz))?$/i;

export async function listDumpFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new UsageError(`no such file or directory: ${path}`);
    }
    if (!info.isDirectory()) {
      files.push(path);
      continue;
    }
    const found = await walk(path);
    // An empty folder is most likely a wrong path or a producer that did not run: say so.
    if (!found.length) {
      throw new UsageError(`no dump files in ${path} (looked for *.json, *.jsonl, *.ndjson, *.sacct and PBS logs named YYYYMMDD, optionally .gz or .xz)`);
    }
    files.push(...found);
  }
  // The same file named twice (directly and through its folder) is read once.
  const seen = new Set<string>();
  return files.filter((file) => {
    const absolute = resolve(file);
    if (seen.has(absolute)) return false;
    seen.add(absolute);
    return true;
  });
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => byText(a.name, b.name));
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(path)));
    else if (entry.isFile() && DUMP_NAME.test(entry.name)) files.push(path);
  }
  return files;
}
