// The worker of normalise-pool.ts: element texts in, normalised records out (SPEC §5), with the
// same code the main thread would run on them.
import { parentPort } from 'node:worker_threads';
import { pairHash } from '../../snapshot.ts';
import { resourceType } from '../../types/index.ts';
import { normaliseOutcome, normaliser, type Normalised } from '../../types/normalise.ts';
import { parseExact } from './exact.ts';
import type { Job, Outcome, Reply } from './normalise-pool.ts';

const normalisers = new Map<string, (raw: unknown) => Normalised>();

function normaliserOf(job: Job): (raw: unknown) => Normalised {
  const key = JSON.stringify([job.type, job.shape, job.privacy.mode, job.privacy.hashKey ?? null]);
  let normalise = normalisers.get(key);
  if (!normalise) normalisers.set(key, (normalise = normaliser(resourceType(job.type)!, job.shape, job.privacy)));
  return normalise;
}

/** The element's outcome; a record's JSON is left in `jsons`, its place to be filled in. */
function outcomeOf(normalise: (raw: unknown) => Normalised, text: string, jsons: string[]): Outcome {
  let value: unknown;
  try {
    value = parseExact(text);
  } catch (err) {
    return { kind: 'invalid', reason: (err as Error).message };
  }
  const outcome = normaliseOutcome(normalise, value);
  if (outcome.kind !== 'record') return outcome as Outcome;
  jsons.push(outcome.record.json);
  const { key, hash } = outcome.record;
  return { kind: 'encoded', key, hash, pair: pairHash(key, hash), start: 0, end: 0 };
}

parentPort!.on('message', (job: Job) => {
  const normalise = normaliserOf(job);
  const jsons: string[] = [];
  const outcomes = job.texts.map((text) => outcomeOf(normalise, text, jsons));
  // The records' JSON, end to end in one buffer that is moved to the main thread, not copied.
  let size = 0;
  for (const json of jsons) size += Buffer.byteLength(json, 'utf8');
  const text = Buffer.from(new ArrayBuffer(size));
  let at = 0;
  let next = 0;
  for (const [i, outcome] of outcomes.entries()) {
    if (outcome.kind !== 'encoded') continue;
    const end = at + text.write(jsons[next++]!, at, 'utf8');
    outcomes[i] = { ...outcome, start: at, end };
    at = end;
  }
  const reply: Reply = { id: job.id, outcomes, text };
  parentPort!.postMessage(reply, [text.buffer as ArrayBuffer]);
});
