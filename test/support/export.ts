// Exports in this process, on a real SQLite file: for tests that run many (every day of a range).
import { planExport, type Report } from '../../src/export/run.ts';
import { BillingPolicy } from '../../src/lifecycles/policy.ts';
import { openStore } from '../../src/store/open.ts';
import { parseDay } from '../../src/time.ts';

/** Each file of the export, as its lines (header first). */
export async function exportFiles(
  db: string,
  request: { from: string; to: string; reports: Report[]; types?: string[]; billableStates?: string[] },
): Promise<Map<string, string[]>> {
  const store = await openStore(db, { readonly: true });
  try {
    const files = await planExport(store.reads, {
      fromDay: parseDay(request.from)!,
      toDay: parseDay(request.to)!,
      reports: request.reports,
      types: request.types ?? [],
      sources: [],
      policy: new BillingPolicy(request.billableStates),
      warn: () => {},
    });
    const out = new Map<string, string[]>();
    for (const file of files) {
      let text = '';
      for await (const chunk of file.lines()) text += chunk;
      out.set(file.name, text.trimEnd().split('\n'));
    }
    return out;
  } finally {
    await store.close();
  }
}
