// The readers' worker threads (other cores for parsing, SPEC §11): a pool of the same worker module,
// jobs handed out in turn, each reply matched to its job by id. Used by streamed documents
// (dump/normalise-pool.ts) and large notification captures (notifications/spread.ts).
import { type ResourceLimits, Worker } from 'node:worker_threads';

/** Starts the worker module `name` (no extension) that sits beside the module whose URL is `beside`. */
function startWorker(beside: string, name: string, resourceLimits?: ResourceLimits): Worker {
  const fromSources = beside.endsWith('.ts');
  const entry = new URL(`./${name}.${fromSources ? 'ts' : 'js'}`, beside);
  if (!fromSources) return new Worker(entry, { resourceLimits });
  // Run from the TypeScript sources (the tests), the worker registers the loader they run under.
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  return new Worker(`import(${tsx}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`, { eval: true, resourceLimits });
}

export interface PoolOptions {
  /** Workers started together, given jobs in turn. */
  readonly workers?: number;
  readonly resourceLimits?: ResourceLimits;
}

/**
 * Workers of one module, started with the first job. A job goes out with an `id`; its worker's reply
 * carries the same `id`. A worker that fails fails every job out, and the pool starts afresh with
 * the next one. Only work in flight keeps the process alive.
 */
export class WorkerPool<Job extends object, Reply extends { readonly id: number }> {
  private workers: Worker[] = [];
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (reply: Reply) => void; reject: (err: Error) => void }>();

  constructor(
    private readonly beside: string,
    private readonly name: string,
    private readonly options: PoolOptions = {},
  ) {}

  run(job: Job): Promise<Reply> {
    if (!this.workers.length) this.workers = Array.from({ length: this.options.workers ?? 1 }, () => this.start());
    const id = this.nextId++;
    if (!this.waiting.size) for (const worker of this.workers) worker.ref();
    const reply = new Promise<Reply>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    this.workers[id % this.workers.length]!.postMessage({ ...job, id });
    return reply;
  }

  /** Stops the workers once nothing is out: their heaps are not kept beside what comes next (SPEC §11, memory). */
  release(): void {
    if (!this.waiting.size) this.stop(new Error(`${this.name}: stopped`));
  }

  /** Stops the workers now; jobs still out fail with `reason`. */
  stop(reason: Error): void {
    for (const worker of this.workers) {
      // Its exit is no failure of the jobs of the next ones.
      worker.removeAllListeners();
      void worker.terminate();
    }
    this.workers = [];
    for (const waiter of this.waiting.values()) waiter.reject(reason);
    this.waiting.clear();
  }

  private start(): Worker {
    const worker = startWorker(this.beside, this.name, this.options.resourceLimits);
    worker.on('message', (reply: Reply) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (!this.waiting.size) for (const idle of this.workers) idle.unref();
      waiter?.resolve(reply);
    });
    // A worker that fails (a bug, out of memory on a giant input) fails every job out.
    worker.on('error', (err) => this.stop(err));
    worker.on('exit', (code) => this.stop(new Error(`a ${this.name} thread stopped (exit code ${code})`)));
    worker.unref();
    return worker;
  }
}
