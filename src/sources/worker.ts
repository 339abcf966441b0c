// The readers' worker threads (a second core for parsing, SPEC §11): the compiled module beside the
// caller, or, run from the TypeScript sources (the tests), that module under the loader they run with.
import { type ResourceLimits, Worker } from 'node:worker_threads';

/** Starts the worker module `name` (no extension) that sits beside the module whose URL is `beside`. */
export function startWorker(beside: string, name: string, resourceLimits?: ResourceLimits): Worker {
  const fromSources = beside.endsWith('.ts');
  const entry = new URL(`./${name}.${fromSources ? 'ts' : 'js'}`, beside);
  if (!fromSources) return new Worker(entry, { resourceLimits });
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  return new Worker(`import(${tsx}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`, { eval: true, resourceLimits });
}
