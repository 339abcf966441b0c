// The one HTTP client every live source uses (SPEC §4.3): undici with keep-alive, a per-request
// timeout, a bounded number of requests in flight per host, and retries with jittered exponential
// backoff on connection errors, 429, 502, 503 and 504, honouring Retry-After. Other 4xx are not
// retried. The retry loop is ours, not undici's RetryAgent: that one has no jitter and no bound on
// the total time, and would keep its concurrency slot while it sleeps.
import { readFileSync } from 'node:fs';
import pLimit, { type LimitFunction } from 'p-limit';
import { Agent, errors as undiciErrors, request } from 'undici';

export interface HttpOptions {
  /** Per attempt: connect, headers and body (ms). */
  readonly timeoutMs: number;
  /** Requests in flight to one host at once. */
  readonly maxPerHost: number;
  /** Attempts per request, the first included. */
  readonly attempts: number;
  /** The first backoff (ms); doubled each attempt, up to maxDelayMs, with ±50% jitter. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** No retry is started once a request has taken this long in all (ms). */
  readonly budgetMs: number;
  /** TLS certificate verification (clouds.yaml `verify`). */
  readonly verify: boolean;
  /** A CA bundle file (clouds.yaml `cacert`). */
  readonly cacert?: string;
  /** Told of each retry, for --verbose. Gets no headers or bodies: they may hold secrets. */
  readonly onRetry?: (what: string) => void;
}

export const DEFAULT_HTTP: HttpOptions = {
  timeoutMs: 60_000,
  maxPerHost: 4,
  attempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  budgetMs: 300_000,
  verify: true,
};

export interface HttpRequest {
  readonly method?: 'GET' | 'HEAD' | 'POST';
  readonly headers?: Record<string, string>;
  /** Sent as JSON. */
  readonly json?: unknown;
}

export interface HttpResponse {
  readonly status: number;
  /** Lower-case names; repeated headers joined with `, `. */
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** A request that failed for good: a status that is not retried, or retries used up. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly method: string,
    /** The address without its query string (which may be long, never secret, but noisy). */
    readonly url: string,
    readonly status: number | undefined,
    /** What went wrong, without the method and address. */
    readonly detail: string,
  ) {
    super(`${method} ${url}: ${detail}`);
  }
}

const RETRIED_STATUS = new Set([429, 502, 503, 504]);

export class HttpClient {
  private readonly agent: Agent;
  private readonly limits = new Map<string, LimitFunction>();
  readonly options: HttpOptions;

  constructor(options: Partial<HttpOptions> = {}) {
    this.options = { ...DEFAULT_HTTP, ...options };
    const { timeoutMs, verify, cacert } = this.options;
    this.agent = new Agent({
      keepAliveTimeout: 30_000,
      connectTimeout: timeoutMs,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connect: { rejectUnauthorized: verify, ...(cacert ? { ca: readFileSync(cacert) } : {}) },
    });
  }

  /** Sends one request, retrying what may succeed later; any final status is returned, not thrown. */
  async send(url: string, req: HttpRequest = {}): Promise<HttpResponse> {
    const method = req.method ?? 'GET';
    const target = new URL(url);
    const where = `${target.origin}${target.pathname}`;
    const started = Date.now();
    const { attempts, budgetMs } = this.options;
    for (let attempt = 1; ; attempt++) {
      let outcome: HttpResponse | Error;
      try {
        outcome = await this.limitFor(target.host)(() => this.once(target, method, req));
      } catch (err) {
        outcome = err as Error;
      }
      const retryable = outcome instanceof Error ? isConnectionError(outcome) : RETRIED_STATUS.has(outcome.status);
      if (!retryable) {
        if (outcome instanceof Error) throw new HttpError(method, where, undefined, connectionProblem(outcome));
        return outcome;
      }
      const problem = outcome instanceof Error ? connectionProblem(outcome) : statusText(outcome.status);
      const wait = this.delay(attempt, outcome instanceof Error ? undefined : outcome.headers['retry-after']);
      const elapsed = Date.now() - started;
      if (attempt >= attempts || elapsed + wait > budgetMs) {
        const tries = attempt === 1 ? '' : ` after ${attempt} attempts in ${Math.round(elapsed / 1000)}s`;
        throw new HttpError(method, where, outcome instanceof Error ? undefined : outcome.status, `${problem}${tries}`);
      }
      this.options.onRetry?.(`${method} ${where}: ${problem}; retrying in ${(wait / 1000).toFixed(1)}s (attempt ${attempt + 1} of ${attempts})`);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private limitFor(host: string): LimitFunction {
    let limit = this.limits.get(host);
    if (!limit) this.limits.set(host, (limit = pLimit(this.options.maxPerHost)));
    return limit;
  }

  private async once(target: URL, method: string, req: HttpRequest): Promise<HttpResponse> {
    const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
    if (req.json !== undefined) headers['content-type'] = 'application/json';
    const response = await request(target, {
      method,
      headers,
      body: req.json === undefined ? undefined : JSON.stringify(req.json),
      dispatcher: this.agent,
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    const body = method === 'HEAD' ? (await response.body.dump(), '') : await response.body.text();
    const flat: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    return { status: response.statusCode, headers: flat, body };
  }

  /** Exponential backoff with jitter, or the server's Retry-After (seconds or an HTTP date). */
  private delay(attempt: number, retryAfter: string | undefined): number {
    const asked = retryAfterMs(retryAfter);
    if (asked !== undefined) return asked;
    const { baseDelayMs, maxDelayMs } = this.options;
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    return Math.round(ceiling * (0.5 + Math.random() / 2));
  }
}

export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function isConnectionError(err: Error): boolean {
  if (err instanceof undiciErrors.RequestAbortedError) return false;
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return true;
  if (err instanceof undiciErrors.UndiciError) return true;
  const code = (err as NodeJS.ErrnoException).code ?? '';
  return ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN'].includes(code);
}

function connectionProblem(err: Error): string {
  if (err.name === 'TimeoutError' || err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError) {
    return 'timed out';
  }
  const code = (err as NodeJS.ErrnoException).code;
  const cause = (err as Error & { cause?: Error & { code?: string } }).cause;
  if (code === 'ECONNREFUSED' || cause?.code === 'ECONNREFUSED') return 'connection refused';
  if (err instanceof undiciErrors.SocketError || code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection dropped';
  if (/certificate|self.signed|CERT_|UNABLE_TO_VERIFY/i.test(`${code} ${err.message}`)) {
    return `TLS certificate not trusted (${err.message}); set cacert, or verify: false`;
  }
  return err.message || code || 'request failed';
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function statusText(status: number): string {
  return `${status}${STATUS_TEXT[status] ? ` ${STATUS_TEXT[status]}` : ''}`;
}
