// The SPEC §11 notifications scenario of `npm run bench`: a capture of versioned Nova notifications
// folded into lifecycles, against the floor of reading it at all.
//
// The capture: N instances (--events-n), each an `instance.create.end`, two to four power_off/power_on
// pairs, one `resize_finish.end` + `resize_confirm.end` (to another flavor), and for 85% of them a
// `delete.end`: about 10 messages each, in oslo `messagingv2` wire envelopes, one a line, as an oslo
// listener captures them (fixtures/notifications/nova-versioned.jsonl, with compact payloads: the
// fields the fold reads and a few more). Times spread over November 2026. In arrival order 5% of
// the messages are out of event-time order (a message swapped with one up to 8 places later) and 1%
// arrive twice (the same message, same message_id, up to 20 places later). Written in batches.
//
// Measured, each in its own process under GNU time: (a) the floor (bench/events-floor.ts: read the
// lines and JSON.parse each and its inner `oslo.message`); (b) `ingest --dump` into an empty database;
// (c) the fold, a 30-day `lifecycles` export of the vms; (d) the same ingest again (already ingested).
// Checked against what the generator made: the summary's counts, and the lifecycle rows and the sum
// of their durations, folded here from the generated events in event-time order (SPEC §4.4: start at
// launched_at, a split at each resize_finish, none at power off/on since stopped is billed by default,
// the end at terminated_at; an open period has no end). Then again at N/4, for memory.
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { random } from './hpc.ts';
import { int, printTable } from './table.ts';
import { FLAVORS, iso } from './vms.ts';

const MIB = 1024 * 1024;
const DAY = 86_400_000;
const FLOOR = join(resolve(dirname(fileURLToPath(import.meta.url))), 'events-floor.ts');

export const EVENTS_FROM = '2026-11-01';
export const EVENTS_TO = '2026-11-30';
const NOVEMBER = Date.UTC(2026, 10, 1);
/** Instances are launched over the first 20 days of the month… */
const LAUNCH_SPAN = 20 * DAY;
/** …and no message is sent after 23:00 on the 30th. */
const LAST = Date.UTC(2026, 10, 30, 23);
const DELETED = 0.85;
/** Of the messages, this part arrives out of event-time order (two per swap)… */
const OUT_OF_ORDER = 0.05;
const SWAP_REACH = 8;
/** …and this part arrives twice. */
const DUPLICATED = 0.01;
const DUPLICATE_REACH = 20;
/** SPEC §11's target for (b)+(c). */
const TARGET_PER_S = 100_000;

// What happened, as the generator and the expected fold know it.
const CREATE = 0;
const POWER_OFF = 1;
const POWER_ON = 2;
const RESIZE_FINISH = 3;
const RESIZE_CONFIRM = 4;
const DELETE = 5;
const EVENT_TYPES = ['create.end', 'power_off.end', 'power_on.end', 'resize_finish.end', 'resize_confirm.end', 'delete.end'].map((e) => `instance.${e}`);
// Nova's vm_state and power_state after each (a resize_finish leaves it `resized` until confirmed).
const STATES = [
  ['active', 'running'],
  ['stopped', 'shutdown'],
  ['active', 'running'],
  ['resized', 'running'],
  ['active', 'running'],
  ['deleted', 'pending'],
] as const;
/** An instance's events are at most this many: a create, four power pairs, a resize pair, a delete. */
const MAX_EVENTS = 1 + 2 * 4 + 2 + 1;

/** The instances of a capture: who they are, and when what is billed changed. Times are epoch ms. */
interface Instances {
  readonly n: number;
  readonly uuid: string[];
  readonly tenant: Int32Array;
  readonly user: Int32Array;
  readonly host: Int32Array;
  readonly image: Int32Array;
  readonly created: Float64Array;
  /** Its first launched_at: the lifecycle's start. */
  readonly launched: Float64Array;
  /** The resize_finish message's time, and the launched_at Nova gives the resized instance. */
  readonly resizedAt: Float64Array;
  readonly relaunched: Float64Array;
  /** NaN while it lives. */
  readonly terminated: Float64Array;
  readonly flavorBefore: Uint8Array;
  readonly flavorAfter: Uint8Array;
}

/** Every message once, in event-time order: its time (epoch ms), instance and what happened. */
interface Events {
  readonly count: number;
  readonly at: Float64Array;
  readonly instance: Int32Array;
  readonly kind: Uint8Array;
}

/** What the lifecycles export must say: SPEC §8.4 rows, folded here from the generated events. */
export interface LifecycleFigures {
  readonly rows: number;
  /** Instances with a row. */
  readonly instances: number;
  /** Rows with an empty end (the instance still lives). */
  readonly open: number;
  /** Sum of end − start over the closed rows, ms. */
  readonly closedMs: number;
}

export interface Capture {
  readonly instances: number;
  /** Lines in the file: distinct messages plus the duplicates. */
  readonly messages: number;
  readonly distinct: number;
  readonly duplicates: number;
  /** Messages not where event-time order puts them. */
  readonly outOfOrder: number;
  readonly bytes: number;
  readonly expected: LifecycleFigures;
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** Eight hex digits from one draw (a table, not toString: the writer draws three ids a message). */
function hex8(r: () => number): string {
  const x = (r() * 0x100000000) >>> 0;
  return HEX[x >>> 24]! + HEX[(x >>> 16) & 255]! + HEX[(x >>> 8) & 255]! + HEX[x & 255]!;
}

const hex32 = (r: () => number) => hex8(r) + hex8(r) + hex8(r) + hex8(r);

/** A random (version 4) UUID, as Nova's and oslo's ids are. */
function uuid(r: () => number): string {
  const h = hex32(r);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
}

const pools = (n: number) => {
  const pool = random(20261101);
  return {
    tenants: Array.from({ length: Math.max(10, Math.round(n / 25)) }, () => hex32(pool)),
    users: Array.from({ length: Math.max(20, Math.round(n / 10)) }, () => hex32(pool)),
    hosts: Array.from({ length: Math.max(6, Math.ceil(n / 40)) }, (_, h) => `cmp-sa-${String(h).padStart(4, '0')}`),
    images: Array.from({ length: 300 }, () => uuid(pool)),
    flavorIds: FLAVORS.map(() => uuid(pool)),
  };
};

/** The instances and their events, from the seeded PRNG: the same in every run. */
function generate(n: number, tenants: number, users: number, hosts: number): { instances: Instances; events: Events } {
  const fleet: Instances = {
    n,
    uuid: new Array<string>(n),
    tenant: new Int32Array(n),
    user: new Int32Array(n),
    host: new Int32Array(n),
    image: new Int32Array(n),
    created: new Float64Array(n),
    launched: new Float64Array(n),
    resizedAt: new Float64Array(n),
    relaunched: new Float64Array(n),
    terminated: new Float64Array(n).fill(Number.NaN),
    flavorBefore: new Uint8Array(n),
    flavorAfter: new Uint8Array(n),
  };
  const capacity = n * MAX_EVENTS;
  const at = new Float64Array(capacity);
  const instance = new Int32Array(capacity);
  const kind = new Uint8Array(capacity);
  let count = 0;
  const push = (i: number, k: number, t: number) => {
    at[count] = t;
    instance[count] = i;
    kind[count++] = k;
  };
  const seconds = (ms: number) => Math.floor(ms / 1000) * 1000;
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = random(Math.imul(i + 1, 0x9e3779b1) ^ 0x2026);
    fleet.uuid[i] = uuid(r);
    const tenant = Math.floor(r() * tenants);
    fleet.tenant[i] = tenant;
    fleet.user[i] = (tenant * 3 + Math.floor(r() * 3)) % users;
    fleet.host[i] = Math.floor(r() * hosts);
    fleet.image[i] = Math.floor(r() * 300);
    const before = Math.floor(r() * FLAVORS.length);
    fleet.flavorBefore[i] = before;
    // Always another flavor: a resize to the same one would bill the same, and not split.
    fleet.flavorAfter[i] = (before + 1 + Math.floor(r() * (FLAVORS.length - 1))) % FLAVORS.length;
    const launched = NOVEMBER + seconds(r() * LAUNCH_SPAN);
    fleet.launched[i] = launched;
    fleet.created[i] = launched - 1000 * (20 + Math.floor(r() * 100));
    // create.end is sent a moment after launched_at.
    const createAt = launched + 200 + Math.floor(r() * 1800);
    push(i, CREATE, createAt);
    const deleted = r() < DELETED;
    const until = deleted ? createAt + Math.floor((LAST - createAt) * (0.3 + 0.7 * r())) : LAST;
    // Power pairs and the resize pair in a random order, at sorted random times between.
    const pairs = 2 + Math.floor(r() * 3);
    const resizeSlot = Math.floor(r() * (pairs + 1));
    times.length = 0;
    for (let k = 0; k < 2 * (pairs + 1); k++) times.push(createAt + 60_000 + Math.floor(r() * (until - createAt - 120_000)));
    times.sort((a, b) => a - b);
    for (let k = 1; k < times.length; k++) times[k] = Math.max(times[k]!, times[k - 1]! + 2000);
    for (let slot = 0; slot <= pairs; slot++) {
      const [first, second] = [times[2 * slot]!, times[2 * slot + 1]!];
      if (slot === resizeSlot) {
        fleet.resizedAt[i] = first;
        fleet.relaunched[i] = seconds(first - 500);
        push(i, RESIZE_FINISH, first);
        push(i, RESIZE_CONFIRM, second);
      } else {
        push(i, POWER_OFF, first);
        push(i, POWER_ON, second);
      }
    }
    if (deleted) {
      const deleteAt = Math.max(until, times[times.length - 1]! + 5000);
      fleet.terminated[i] = seconds(deleteAt - 1500);
      push(i, DELETE, deleteAt);
    }
  }
  return { instances: fleet, events: { count, at, instance, kind } };
}

/**
 * SPEC §4.4 folded from the generated events in event-time order, knowing nothing of the product: a
 * lifecycle starts at launched_at, is split where resize_finish switches the flavor (power off and on
 * leave it billed the same), and ends at terminated_at; one still running has an open last period.
 */
function expectedLifecycles(instances: Instances, events: Events, order: Uint32Array): LifecycleFigures {
  const since = new Float64Array(instances.n).fill(Number.NaN);
  const flavor = new Int16Array(instances.n).fill(-1);
  const seen = new Uint8Array(instances.n);
  let rows = 0;
  let closedMs = 0;
  for (const e of order) {
    const i = events.instance[e]!;
    const at = events.at[e]!;
    switch (events.kind[e]) {
      case CREATE:
        if (!seen[i]) {
          seen[i] = 1;
          since[i] = instances.launched[i]!;
          flavor[i] = instances.flavorBefore[i]!;
        }
        break;
      case RESIZE_FINISH:
        if (flavor[i] !== instances.flavorAfter[i]) {
          rows++;
          closedMs += at - since[i]!;
          since[i] = at;
          flavor[i] = instances.flavorAfter[i]!;
        }
        break;
      case DELETE:
        rows++;
        closedMs += instances.terminated[i]! - since[i]!;
        since[i] = Number.NaN;
        break;
    }
  }
  let open = 0;
  let lived = 0;
  for (let i = 0; i < instances.n; i++) {
    if (seen[i]) lived++;
    if (!Number.isNaN(since[i]!)) open++;
  }
  return { rows: rows + open, instances: lived, open, closedMs };
}

/** JSON text as it sits inside another JSON string (the oslo envelope's): its quotes escaped (no other escape arises here). */
const escaped = (json: string) => json.replaceAll('"', '\\"');

const wireParts = new WeakMap<TemplateStringsArray, string[]>();

/**
 * The inner message of an oslo envelope, written as plain JSON in a template and escaped once per
 * template for its place in the envelope's string, so a message is not serialised twice (two
 * JSON.stringify calls were most of the writer's time). Values are ids, names, numbers and times,
 * which hold no quote nor backslash; a value that is JSON text must come escaped.
 */
function wire(strings: TemplateStringsArray, ...values: (string | number)[]): string {
  let parts = wireParts.get(strings);
  // Cooked parts: the template's line continuations are gone from them.
  if (!parts) wireParts.set(strings, (parts = strings.map(escaped)));
  let out = parts[0]!;
  for (let k = 0; k < values.length; k++) out += values[k]! + parts[k + 1]!;
  return out;
}

/** oslo's message timestamp: zone-less UTC with microseconds (the product keeps the milliseconds). */
function osloTime(ms: number, r: () => number): string {
  const text = new Date(ms).toISOString();
  return `${text.slice(0, 10)} ${text.slice(11, 23)}${String(Math.floor(r() * 1000)).padStart(3, '0')}`;
}

/**
 * Lines gathered in one buffer, reused, and written each time it fills: never one big string, and no
 * fresh megabytes per batch (joining each batch into a new string, then a new buffer, took most of
 * the writer's time on the 2-core bench machine). The text here is ASCII, so latin1 is UTF-8.
 */
class LineWriter {
  private readonly fd: number;
  private readonly buffer = Buffer.allocUnsafe(8 * MIB);
  private used = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  line(text: string): void {
    if (this.used + text.length + 1 > this.buffer.length) this.flush();
    if (text.length + 1 > this.buffer.length) throw new Error(`a line of ${text.length} characters: longer than the write buffer`);
    this.used += this.buffer.write(text, this.used, 'latin1');
    this.buffer[this.used++] = 0x0a;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    for (let at = 0; at < this.used; ) at += writeSync(this.fd, this.buffer, at, this.used - at);
    this.used = 0;
  }
}

/** Writes the capture of `n` instances to `path` and returns what ingesting and folding it must give. */
export function writeNotifications(path: string, n: number): Capture {
  const p = pools(n);
  const { instances, events } = generate(n, p.tenants.length, p.users.length, p.hosts.length);
  const count = events.count;
  // Event-time order (ties by generation order: never within one instance).
  const order = new Uint32Array(count);
  for (let k = 0; k < count; k++) order[k] = k;
  order.sort((a, b) => events.at[a]! - events.at[b]! || a - b);
  const expected = expectedLifecycles(instances, events, order);

  // Arrival order: a message now and then swapped with one a few places later.
  const shuffle = random(5);
  const moved = new Uint8Array(count);
  for (let k = 0; k < count; k++) {
    if (moved[k] || shuffle() >= OUT_OF_ORDER / 2) continue;
    const j = k + 1 + Math.floor(shuffle() * SWAP_REACH);
    if (j >= count || moved[j]) continue;
    [order[k], order[j]] = [order[j]!, order[k]!];
    moved[k] = moved[j] = 1;
  }
  let outOfOrder = 0;
  for (let k = 0; k < count; k++) outOfOrder += moved[k]!;

  const r = random(20261130);
  // What `line` puts inside the envelope's string, made once: the flavors (FlavorPayload)…
  const flavors = FLAVORS.map(([name, vcpus, memoryMb, rootGb], f) =>
    escaped(JSON.stringify({
      'nova_object.name': 'FlavorPayload',
      'nova_object.data': { flavorid: p.flavorIds[f], name, vcpus, memory_mb: memoryMb, root_gb: rootGb, ephemeral_gb: 0, swap: 0 },
    })),
  );
  // …and each instance's times (Nova's versioned payloads: seconds, with a Z); nullable ones quoted.
  const text = (list: Float64Array) => Array.from(list, (ms) => iso(ms));
  const created = text(instances.created);
  const launched = text(instances.launched);
  const relaunched = text(instances.relaunched);
  const terminated = Array.from(instances.terminated, (ms) => (Number.isNaN(ms) ? 'null' : escaped(`"${iso(ms)}"`)));
  const deleted = Array.from(instances.terminated, (ms) => (Number.isNaN(ms) ? 'null' : escaped(`"${iso(ms + 1000)}"`)));
  const line = (e: number): string => {
    const i = events.instance[e]!;
    const at = events.at[e]!;
    const kind = events.kind[e]!;
    const resized = at >= instances.resizedAt[i]!;
    const [state, powerState] = STATES[kind]!;
    const tenant = p.tenants[instances.tenant[i]!]!;
    const host = p.hosts[instances.host[i]!]!;
    const gone = kind === DELETE;
    const [payloadName, payloadVersion] = kind === CREATE ? ['InstanceCreatePayload', '1.13'] : ['InstanceActionPayload', '1.9'];
    const message = wire`{"_context_request_id":"req-${uuid(r)}","_context_project_id":"${tenant}","message_id":"${uuid(r)}",\
"publisher_id":"nova-compute:${host}","event_type":"${EVENT_TYPES[kind]!}","priority":"INFO",\
"payload":{"nova_object.name":"${payloadName}","nova_object.namespace":"nova","nova_object.version":"${payloadVersion}",\
"nova_object.data":{"uuid":"${instances.uuid[i]!}","display_name":"vm-${i}","tenant_id":"${tenant}","user_id":"${p.users[instances.user[i]!]!}",\
"state":"${state}","power_state":"${powerState}","task_state":null,"created_at":"${created[i]!}",\
"launched_at":"${resized ? relaunched[i]! : launched[i]!}","terminated_at":${gone ? terminated[i]! : 'null'},"deleted_at":${gone ? deleted[i]! : 'null'},\
"host":"${host}","availability_zone":"sa-1","image_uuid":"${p.images[instances.image[i]!]!}",\
"flavor":${flavors[resized ? instances.flavorAfter[i]! : instances.flavorBefore[i]!]!}}},\
"timestamp":"${osloTime(at, r)}","_unique_id":"${hex32(r)}"}`;
    return `{"oslo.version":"2.0","oslo.message":"${message}"}`;
  };

  // A batch at a time (LineWriter); a duplicate follows its message within a few places.
  const out = new LineWriter(path);
  let duplicates = 0;
  const again: { due: number; text: string }[] = [];
  for (let k = 0; k < count; k++) {
    for (let d = 0; d < again.length; ) {
      if (again[d]!.due > k) d++;
      else {
        out.line(again[d]!.text);
        again.splice(d, 1);
      }
    }
    const text = line(order[k]!);
    out.line(text);
    if (r() < DUPLICATED) {
      again.push({ due: k + 1 + Math.floor(r() * DUPLICATE_REACH), text });
      duplicates++;
    }
  }
  for (const { text } of again) out.line(text);
  out.close();
  return { instances: n, messages: count + duplicates, distinct: count, duplicates, outOfOrder, bytes: statSync(path).size, expected };
}

/** The figures of a vm_lifecycles.csv (SPEC §8.4 columns; no cell of it holds a comma). */
async function lifecycleCsvFigures(path: string): Promise<LifecycleFigures> {
  const lines = createInterface({ input: createReadStream(path, { highWaterMark: 4 * MIB }), crlfDelay: Infinity });
  let columns: { id: number; start: number; end: number } | undefined;
  let rows = 0;
  let instances = 0;
  let open = 0;
  let closedMs = 0;
  let last = '';
  for await (const text of lines) {
    const cells = text.split(',');
    if (!columns) {
      columns = { id: cells.indexOf('id'), start: cells.indexOf('start'), end: cells.indexOf('end') };
      continue;
    }
    rows++;
    const id = cells[columns.id]!;
    if (id !== last) instances++;
    last = id;
    const end = cells[columns.end]!;
    if (end === '') open++;
    else closedMs += Date.parse(end) - Date.parse(cells[columns.start]!);
  }
  return { rows, instances, open, closedMs };
}

// --- the scenario --------------------------------------------------------------------------------

export interface Timed {
  readonly wallS: number;
  readonly rssMiB: number;
}

/** What bench.ts lends the scenario: its temporary directory, its child runner and its check list. */
export interface EventsHarness {
  readonly work: string;
  readonly bin: string;
  readonly config: string;
  readonly keep: boolean;
  readonly startup: Timed;
  /** Runs a command under GNU time; a failure ends the bench. */
  measure(what: string, command: readonly string[]): Promise<Timed & { readonly stdout: string }>;
  /** A failed check: reported at the end, and the bench exits 1. */
  failed(check: string): void;
  ok(): boolean;
  progress(text: string): void;
}

interface IngestLine {
  readonly status: string;
  readonly examined: number;
  readonly added: number;
  readonly modified: number;
  readonly removed: number;
  readonly unchanged: number;
  readonly rejected: number;
  readonly skipped: number;
}

interface EventsRun {
  readonly n: number;
  readonly capture: Capture;
  readonly floor: Timed & { readonly readParseS: number };
  readonly ingest: Timed;
  readonly fold: Timed;
  readonly again: Timed;
  readonly got: LifecycleFigures;
}

const hours = (ms: number) => (ms / 3_600_000).toFixed(3);
const figuresText = (f: LifecycleFigures) => `${int(f.rows)} rows of ${int(f.instances)} instances, ${int(f.open)} open, ${hours(f.closedMs)} h closed`;

/** The one summary line of an ingest of one file (`--log-format json`), checked against what it must count. */
function checkIngest(h: EventsHarness, what: string, stdout: string, want: Omit<IngestLine, 'modified' | 'removed' | 'rejected' | 'skipped'>, checks: string[]): void {
  const lines = stdout
    .split('\n')
    .filter((text) => text.startsWith('{'))
    .map((text) => JSON.parse(text) as IngestLine & { event?: string })
    .filter((line) => line.event === 'snapshot');
  if (lines.length !== 1) {
    h.failed(`${what}: expected one summary line, got ${lines.length}:\n${stdout}`);
    return;
  }
  const got = lines[0]!;
  const expected: IngestLine = { ...want, modified: 0, removed: 0, rejected: 0, skipped: 0 };
  checks.push(`${what}: ${got.status}, added ${int(got.added)}, unchanged ${int(got.unchanged)}, rejected ${int(got.rejected)} (expected ${want.status}, added ${int(want.added)}, unchanged ${int(want.unchanged)}, rejected 0)`);
  const wrong = (Object.keys(expected) as (keyof IngestLine)[]).filter((k) => got[k] !== expected[k]);
  if (wrong.length) {
    const pick = (line: IngestLine) => Object.fromEntries(Object.keys(expected).map((k) => [k, line[k as keyof IngestLine]]));
    h.failed(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(pick(got))}`);
  }
}

async function eventsRun(h: EventsHarness, n: number, checks: string[]): Promise<EventsRun> {
  const dir = join(h.work, `events-${n}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'nova-notifications.jsonl');
  const db = join(dir, 'usage.db');
  h.progress(`events: writing ${int(n)} instances' notifications`);
  const capture = writeNotifications(file, n);
  h.progress(`events: ${int(capture.messages)} messages, ${(capture.bytes / MIB).toFixed(0)} MiB`);

  h.progress('events (a): floor, read lines + JSON.parse of each and its oslo.message');
  const floorRun = await h.measure('events floor', [process.execPath, '--import', 'tsx', FLOOR, file]);
  const floorOut = JSON.parse(floorRun.stdout) as { messages: number; read_parse_s: number };
  if (floorOut.messages !== capture.messages) h.failed(`events floor (N = ${n}): read ${floorOut.messages} messages, expected ${capture.messages}`);

  // The capture runs to the end of November 2026: on a clock before that, the default --max-future
  // (1d) would quarantine its last days and every check below would fail.
  const ingestArgs = [h.bin, '--db', db, '--config', h.config, '--log-format', 'json', 'ingest', '--dump', file, '--source', 'bench', '--max-future', '400d'];
  h.progress('events (b): ingest into an empty database');
  const ingest = await h.measure('events ingest', ingestArgs);
  checkIngest(h, `events ingest (N = ${n})`, ingest.stdout, {
    status: 'applied',
    examined: capture.messages,
    added: capture.distinct,
    unchanged: capture.duplicates,
  }, checks);

  h.progress(`events (c): the fold, lifecycles export ${EVENTS_FROM}..${EVENTS_TO}`);
  const out = join(dir, 'export');
  const fold = await h.measure('events fold', [h.bin, '--db', db, '--config', h.config, 'export', '--from', EVENTS_FROM, '--to', EVENTS_TO, '--report', 'lifecycles', '--type', 'vm', '--out', out]);
  const csv = join(out, 'vm_lifecycles.csv');
  const got = existsSync(csv) ? await lifecycleCsvFigures(csv) : { rows: 0, instances: 0, open: 0, closedMs: 0 };
  const want = capture.expected;
  checks.push(`vm_lifecycles.csv at N = ${int(n)}: ${figuresText(got)} (expected ${figuresText(want)})`);
  for (const key of ['rows', 'instances', 'open', 'closedMs'] as const) {
    if (got[key] !== want[key]) h.failed(`events fold (N = ${n}): ${key} ${got[key]}, expected ${want[key]} from the generated events`);
  }

  h.progress('events (d): the same ingest again');
  const again = await h.measure('events ingest again', ingestArgs);
  checkIngest(h, `events ingest again (N = ${n})`, again.stdout, { status: 'already ingested', examined: capture.messages, added: 0, unchanged: capture.messages }, checks);

  if (!h.keep) rmSync(dir, { recursive: true, force: true });
  return { n, capture, floor: { ...floorRun, readParseS: floorOut.read_parse_s }, ingest, fold, again, got };
}

/** SPEC §11: 1 000 000 notifications folded into lifecycles, against the floor; at N and N/4 for memory. */
export async function eventsScenarios(h: EventsHarness, n: number): Promise<void> {
  const checks: string[] = [];
  const big = await eventsRun(h, n, checks);
  const small = await eventsRun(h, Math.floor(n / 4), checks);

  const table: string[][] = [['scenario', 'N', 'messages', 'wall (s)', 'messages/s', 'peak RSS (MiB)', '× floor', '× floor net']];
  const both = (run: EventsRun): Timed => ({ wallS: run.ingest.wallS + run.fold.wallS, rssMiB: Math.max(run.ingest.rssMiB, run.fold.rssMiB) });
  for (const run of [big, small]) {
    const m = run.capture.messages;
    const floorS = run.floor.readParseS;
    const row = (name: string, t: Timed, startups = 1) => [
      name,
      int(run.n),
      int(m),
      t.wallS.toFixed(2),
      int(m / t.wallS),
      int(t.rssMiB),
      (t.wallS / floorS).toFixed(2),
      ((t.wallS - startups * h.startup.wallS) / floorS).toFixed(2),
    ];
    if (run === small) table.push(['']);
    table.push(['(a) floor: lines + JSON.parse ×2', int(run.n), int(m), floorS.toFixed(2), int(m / floorS), int(run.floor.rssMiB), '1.00', '1.00']);
    table.push(row('(b) ingest, empty DB', run.ingest));
    table.push(row('(c) fold: lifecycles export', run.fold));
    table.push(row('(b)+(c)', both(run), 2));
    table.push(row('(d) ingest again (already ingested)', run.again));
  }
  const rate = big.capture.messages / both(big).wallS;
  const c = big.capture;
  console.log(
    `\nusage-etl bench: notifications, N = ${int(big.n)} instances: ${int(c.messages)} versioned Nova messages (${int(c.distinct)} distinct + ${int(c.duplicates)} delivered twice, ` +
      `${int(c.outOfOrder)} out of event-time order), ${(c.bytes / MIB).toFixed(0)} MiB of oslo wire envelopes, ${EVENTS_FROM}..${EVENTS_TO}`,
  );
  console.log(`node ${process.version}, ${cpus().length} CPU(s); wall times include the CLI's start-up (${h.startup.wallS.toFixed(2)} s)\n`);
  printTable(table);
  console.log(
    "\nmessages/s: the capture's messages (duplicates included) over the step's wall time; the floor's time is taken inside its process\n" +
      "(its wall: " + `${big.floor.wallS.toFixed(2)} s at N), so '× floor net' takes the CLI's start-up off the wall time before dividing.`,
  );
  console.log(`target: ≥ ${int(TARGET_PER_S)} events/s for (b)+(c) at N: ${int(rate)} events/s, ${rate >= TARGET_PER_S ? 'met' : 'NOT met'}`);
  const growth = (a: number, b: number) => `${int(a)} -> ${int(b)} MiB (× ${(b / a).toFixed(2)})`;
  const perInstance = (a: number, b: number) => `${(((b - a) * MIB) / (big.n - small.n)).toFixed(0)} bytes/instance`;
  console.log(
    `memory, peak RSS at N/4 -> N (× 4 instances, ${(c.messages / c.instances).toFixed(1)} messages each at both): ` +
      `ingest ${growth(small.ingest.rssMiB, big.ingest.rssMiB)}, ${perInstance(small.ingest.rssMiB, big.ingest.rssMiB)}; ` +
      `fold ${growth(small.fold.rssMiB, big.fold.rssMiB)}, ${perInstance(small.fold.rssMiB, big.fold.rssMiB)}; ` +
      `floor ${growth(small.floor.rssMiB, big.floor.rssMiB)}; the CLI alone: ${int(h.startup.rssMiB)} MiB\n` +
      '(the ingest applies batches of 20 000 messages: its peak should not follow the capture; the fold keeps every instance\'s periods: its peak follows the instances)',
  );
  console.log(`checked:\n${checks.map((line) => `  ${line}`).join('\n')}`);
  const figures = (run: EventsRun) => ({
    n: run.n,
    messages: run.capture.messages,
    distinct: run.capture.distinct,
    duplicates: run.capture.duplicates,
    out_of_order: run.capture.outOfOrder,
    file_bytes: run.capture.bytes,
    floor: { read_parse_s: run.floor.readParseS, wall_s: run.floor.wallS, peak_rss_mib: run.floor.rssMiB },
    ingest: { wall_s: run.ingest.wallS, peak_rss_mib: run.ingest.rssMiB, ratio_to_floor: run.ingest.wallS / run.floor.readParseS },
    fold: { wall_s: run.fold.wallS, peak_rss_mib: run.fold.rssMiB, ratio_to_floor: run.fold.wallS / run.floor.readParseS },
    ingest_plus_fold: { wall_s: both(run).wallS, events_per_s: run.capture.messages / both(run).wallS, ratio_to_floor: both(run).wallS / run.floor.readParseS },
    ingest_again: { wall_s: run.again.wallS, peak_rss_mib: run.again.rssMiB },
    lifecycles: { rows: run.got.rows, open: run.got.open, closed_hours: run.got.closedMs / 3_600_000 },
    expected: { rows: run.capture.expected.rows, open: run.capture.expected.open, closed_hours: run.capture.expected.closedMs / 3_600_000 },
  });
  console.log(
    JSON.stringify({
      events_n: big.n,
      node: process.version,
      cpus: cpus().length,
      startup_s: h.startup.wallS,
      at_n: figures(big),
      at_quarter_n: figures(small),
      target_events_per_s: TARGET_PER_S,
      events_per_s: rate,
      target_met: rate >= TARGET_PER_S,
      ok: h.ok(),
    }),
  );
}
