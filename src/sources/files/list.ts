// Which files a `--dump PATH...` (or a source's `path`) names: files as given, directories walked
// recursively, globs expanded (SPEC §4.3: "a file, a directory or a glob").
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { UsageError } from '../../errors.ts';
import { byText } from '../../order.ts';
import type { SourceFile } from '../../store/index.ts';

/**
 * The names read inside a folder (a file named on the command line, or matched by a glob, is always
 * read): PBS accounting logs are named by their day, YYYYMMDD, without an extension (SPEC §4.2); sacct
 * dumps are picked up when named *.sacct; notification captures as *.json, *.jsonl or *.log.
 */
const DUMP_NAME = /(\.(json|jsonl|ndjson|sacct|log)|^\d{8})(\.(gz|xz))?$/i;
const DUMP_NAMES_DESCRIBED = '*.json, *.jsonl, *.ndjson, *.sacct, *.log and PBS logs named YYYYMMDD, optionally .gz or .xz';

export async function listDumpFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    if (!existsSync(path) && isDynamicPattern(path)) {
      const matched = (await glob(path, { absolute: true, onlyFiles: true, expandDirectories: false })).sort(byText);
      if (!matched.length) throw new UsageError(`no files match ${path}`);
      files.push(...matched);
      continue;
    }
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
    if (!found.length) throw new UsageError(`no dump files in ${path} (looked for ${DUMP_NAMES_DESCRIBED})`);
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

/** A file as it is now, to tell next time whether it changed (kept by absolute path: cron and a person may run from different folders). */
export async function describeFile(path: string): Promise<SourceFile> {
  const info = await stat(path);
  return { path: resolve(path), size: info.size, mtimeMs: Math.trunc(info.mtimeMs) };
}
