// How each source of a run went, for the run log (`status --check` reads "a source whose last run
// failed" from it, issue 12): a source failed when anything of it failed; the first error is kept.
import type { SourceOutcome } from '../store/index.ts';

export class SourceOutcomes {
  private readonly errors = new Map<string, string | undefined>();

  /** The source was collected (something of it was delivered); a failure already noted stays. */
  collected(source: string): void {
    if (!this.errors.has(source)) this.errors.set(source, undefined);
  }

  failed(source: string, message: string): void {
    if (this.errors.get(source) === undefined) this.errors.set(source, message);
  }

  list(): SourceOutcome[] {
    return [...this.errors].map(([source, error]) => (error === undefined ? { source, status: 'ok' } : { source, status: 'failed', error }));
  }
}
