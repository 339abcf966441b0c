// Dump files as deliveries, in apply order (SPEC §6: by taken_at): each file is sniffed once; a file
// that is one snapshot (or a ledger stream) is read when its turn comes, so a folder of big dumps is
// never all in memory; envelope batches, which may hold many snapshots and pages of scans spread
// over files, are read first and gathered. A file that fails writes nothing; the rest still lands.
import pLimit from 'p-limit';
import { InputError } from '../../errors.ts';
import { byText } from '../../order.ts';
import type { Snapshot } from '../../snapshot.ts';
import { NOTIFICATION } from '../../store/index.ts';
import type { Delivery, SeriesRef } from '../delivery.ts';
import { Gatherer } from './gather.ts';
import type { DumpContext, DumpOptions } from './parts.ts';
import { readDump } from './read.ts';
import { type Sniffed, sniff } from './sniff.ts';
import { survey } from './survey.ts';

/** One entry of the apply order. */
type Planned = { readonly at: number; readonly key: string } & (
  | { readonly kind: 'snapshot'; readonly snapshot: Snapshot }
  /** A file read in its turn. */
  | { readonly kind: 'file'; readonly ctx: DumpContext; readonly sniffed: Sniffed; readonly series: SeriesRef }
  /** A ledger stream that sat among envelope batches, already read. */
  | { readonly kind: 'deliveries'; readonly deliveries: readonly Delivery[] }
);

export async function* dumpDeliveries(files: readonly string[], options: DumpOptions): AsyncGenerator<Delivery> {
  const messageIds = new Set<string>();
  const eager = new Gatherer(options.privacy, messageIds);
  const plan: Planned[] = [];
  yield { kind: 'progress', text: `surveying ${files.length} file(s)` };
  const limit = pLimit(4);
  const sniffed = await Promise.all(files.map((file) => limit(() => sniff(file))));
  for (const [index, file] of files.entries()) {
    const ctx: DumpContext = { ...options, file };
    const head = sniffed[index]!;
    const found = survey(ctx, head);
    if (found.kind === 'single') {
      const series = { source: found.header.source, type: found.header.type.name };
      plan.push({ kind: 'file', at: found.header.takenAt, key: fileKey(series, file), ctx, sniffed: head, series });
      continue;
    }
    if (found.kind === 'ledger') {
      // Read in its turn and applied batch by batch as it is read; its time is known only then.
      const series = { source: found.source, type: found.type.name };
      plan.push({ kind: 'file', at: found.firstAt ?? 0, key: fileKey(series, file), ctx, sniffed: head, series });
      continue;
    }
    if (found.kind === 'notifications') {
      // Folded by event time, not arrival: the order they are read in does not matter.
      const series = { source: found.source ?? '', type: NOTIFICATION };
      plan.push({ kind: 'file', at: 0, key: fileKey(series, file), ctx, sniffed: head, series });
      continue;
    }
    yield { kind: 'progress', text: `reading ${file}` };
    eager.beginFile();
    try {
      const early: Delivery[] = [];
      // Kept until its turn: read as one batch, as a ledger document among envelopes is small.
      for await (const delivery of readDump({ ...ctx, batchSize: Number.POSITIVE_INFINITY }, head, eager)) early.push(delivery);
      eager.endFile();
      const first = early.find((d) => d.kind === 'batch');
      if (first?.kind === 'batch') plan.push({ kind: 'deliveries', at: first.batch.takenAt, key: fileKey(first.stream, file), deliveries: early });
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      // Messages read before the broken one are taken back: a failed file writes nothing.
      eager.discardFile();
      yield { kind: 'failed', message: err.message };
    }
  }
  for (const snapshot of eager.snapshots()) {
    plan.push({ kind: 'snapshot', at: snapshot.takenAt, key: seriesKey({ source: snapshot.source, type: snapshot.type.name }), snapshot });
  }
  // Ties are broken by source, type and file name.
  plan.sort((a, b) => a.at - b.at || byText(a.key, b.key));
  for (const entry of plan) {
    if (entry.kind === 'snapshot') yield { kind: 'snapshot', snapshot: entry.snapshot };
    else if (entry.kind === 'deliveries') yield* entry.deliveries;
    else yield { kind: 'file', file: entry.ctx.file, series: entry.series, read: () => readFile(entry.ctx, entry.sniffed, entry.series, messageIds) };
  }
  for (const [reason, count] of eager.skipped) yield { kind: 'skipped', reason, count };
}

/** One file in its turn: its ledger batches as read, or its snapshot once read whole. */
async function* readFile(ctx: DumpContext, sniffed: Sniffed, series: SeriesRef, messageIds: Set<string>): AsyncGenerator<Delivery> {
  const gatherer = new Gatherer(ctx.privacy, messageIds);
  try {
    yield* readDump(ctx, sniffed, gatherer);
  } catch (err) {
    // A ledger stream's batches applied before the failure stay: reading the file again dedupes them.
    if (!(err instanceof InputError)) throw err;
    yield { kind: 'failed', message: err.message, series };
    return;
  }
  for (const snapshot of gatherer.snapshots()) yield { kind: 'snapshot', snapshot };
}

function seriesKey(series: SeriesRef): string {
  return `${series.source}\0${series.type}`;
}

function fileKey(series: SeriesRef, file: string): string {
  return `${seriesKey(series)}\0${file}`;
}
