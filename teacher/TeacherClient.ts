import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  ChatCompletionResponseSchema,
  ChatErrorBodySchema,
  TeacherCacheEntrySchema,
  TeacherConfigSchema,
  type ChatMessage,
  type TeacherCacheEntry,
  type TeacherConfig,
  type TeacherConfigInput,
} from '../schemas/teacher.ts';
import { sha256Json } from '../store/sha256.ts';

export class TeacherError extends Error {
  override readonly name = 'TeacherError';
  /** The HTTP status of the last response, when there was one. */
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.status = status;
  }
}

export interface TeacherDeps {
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export interface TeacherCompletion {
  text: string;
  cached: boolean;
  /** HTTP requests this completion took; 0 for a cache hit. */
  attempts: number;
}

export interface TeacherStats {
  requests: number;
  cacheHits: number;
  retries: number;
  failures: number;
}

const BACKOFF_BASE_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;
/** A server that answers garbage rarely recovers; retry it a little, not the full budget. */
const MALFORMED_RETRIES = 2;
/** Error bodies are quoted in messages; a whole HTML error page is noise. */
const ERROR_BODY_CHARS = 300;

/** One attempt's outcome: the text, or why it failed and whether another attempt may help. */
type Attempt =
  | { ok: true; text: string }
  | { ok: false; reason: string; retry: boolean; status?: number; retryAfterMs?: number; malformed?: boolean };

/**
 * A client for an OpenAI-compatible chat completions endpoint, used as an optional teacher by trajectory distillation.
 * It retries transient failures, spaces requests to respect a rate limit, caches answers (memory, and disk when
 * `cacheDir` is set) and keeps the API key out of every message, return value and cache file.
 */
export class TeacherClient {
  readonly config: TeacherConfig;
  private readonly endpoint: string;
  private readonly apiKey: string | undefined;
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly scheduler: IntervalScheduler;
  private readonly memory = new Map<string, string>();
  private readonly counters: TeacherStats = { requests: 0, cacheHits: 0, retries: 0, failures: 0 };

  constructor(config: TeacherConfigInput, deps: TeacherDeps = {}) {
    this.config = TeacherConfigSchema.parse(config);
    this.endpoint = `${this.config.url.replace(/\/+$/, '')}/chat/completions`;
    // An empty variable means "no key", as an unset one does: no Authorization header is sent.
    this.apiKey = (deps.env ?? process.env)[this.config.apiKeyEnv] || undefined;
    this.fetch = deps.fetch ?? globalThis.fetch;
    this.sleep = deps.sleep ?? ((ms) => delay(ms));
    this.scheduler = new IntervalScheduler(60_000 / this.config.requestsPerMinute, deps.now ?? Date.now, this.sleep);
  }

  async complete(messages: ChatMessage[]): Promise<TeacherCompletion> {
    const { url, model, temperature, maxTokens } = this.config;
    const digest = sha256Json({ url, model, messages, temperature, maxTokens });
    const hit = this.memory.get(digest) ?? (await this.readDisk(digest));
    if (hit !== undefined) {
      this.counters.cacheHits++;
      this.memory.set(digest, hit);
      return { text: hit, cached: true, attempts: 0 };
    }
    let result: { text: string; attempts: number };
    try {
      result = await this.requestWithRetries(messages);
    } catch (err) {
      this.counters.failures++;
      throw err;
    }
    this.memory.set(digest, result.text);
    await this.writeDisk({ digest, model, messages, text: result.text });
    return { text: result.text, cached: false, attempts: result.attempts };
  }

  stats(): TeacherStats {
    return { ...this.counters };
  }

  private async requestWithRetries(messages: ChatMessage[]): Promise<{ text: string; attempts: number }> {
    let malformed = 0;
    for (let attempt = 1; ; attempt++) {
      await this.scheduler.acquire();
      this.counters.requests++;
      const outcome = await this.attempt(messages);
      if (outcome.ok) return { text: outcome.text, attempts: attempt };
      if (outcome.malformed) malformed++;
      const canRetry = outcome.retry && attempt <= this.config.maxRetries && malformed <= MALFORMED_RETRIES;
      if (!canRetry) {
        const tries = attempt === 1 ? '' : ` after ${attempt} attempts`;
        throw new TeacherError(this.redact(`teacher ${this.config.model} at ${this.endpoint} failed${tries}: ${outcome.reason}`), outcome.status);
      }
      this.counters.retries++;
      await this.sleep(outcome.retryAfterMs ?? backoffMs(attempt));
    }
  }

  /** One HTTP request; never throws, so the retry loop sees every failure the same way. */
  private async attempt(messages: ChatMessage[]): Promise<Attempt> {
    const { model, temperature, maxTokens, timeoutMs } = this.config;
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    let status: number;
    let retryAfter: string | null;
    let body: string;
    try {
      // The timeout signal also covers reading the body, so a server that stalls mid-response is cut off too.
      const res = await this.fetch(this.endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model, messages, temperature, max_tokens: maxTokens }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = res.status;
      retryAfter = res.headers.get('retry-after');
      // Redact before anything is truncated or quoted, so no fragment of an echoed key survives.
      body = this.redact(await res.text());
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      return { ok: false, retry: true, reason: timedOut ? `timed out after ${timeoutMs} ms` : `network error: ${describeError(err)}` };
    }

    if (status < 200 || status >= 300) {
      const reason = `HTTP ${status}: ${errorMessage(body)}`;
      const retry = status === 429 || status >= 500;
      return { ok: false, retry, reason, status, retryAfterMs: parseRetryAfter(retryAfter) };
    }
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return { ok: false, retry: true, malformed: true, status, reason: `response is not JSON: ${truncate(body)}` };
    }
    const parsed = ChatCompletionResponseSchema.safeParse(json);
    if (!parsed.success) {
      return { ok: false, retry: true, malformed: true, status, reason: 'response has no choices[0].message.content' };
    }
    // Schema guarantees at least one choice.
    return { ok: true, text: this.redact(parsed.data.choices[0]!.message.content) };
  }

  private cacheFile(digest: string): string | undefined {
    const dir = this.config.cacheDir;
    return dir === undefined ? undefined : path.join(dir, digest.slice(0, 2), `${digest}.json`);
  }

  private async readDisk(digest: string): Promise<string | undefined> {
    const file = this.cacheFile(digest);
    if (file === undefined) return undefined;
    let raw: string;
    try {
      raw = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    // A damaged cache file is a miss, not a failure: the answer is simply fetched (and written) again.
    try {
      const entry = TeacherCacheEntrySchema.safeParse(JSON.parse(raw));
      return entry.success && entry.data.digest === digest ? entry.data.text : undefined;
    } catch {
      return undefined;
    }
  }

  /** Temp file + rename, so a reader never sees half a file even when two processes fill the same cache. */
  private async writeDisk(entry: TeacherCacheEntry): Promise<void> {
    const file = this.cacheFile(entry.digest);
    if (file === undefined) return;
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
    try {
      await writeFile(tmp, `${this.redact(JSON.stringify(entry, null, 2))}\n`);
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  /** Servers sometimes echo the request (key included) in errors or answers; the key must never leave this object. */
  private redact(text: string): string {
    return this.apiKey ? text.split(this.apiKey).join('***') : text;
  }
}

/**
 * Spaces request starts at least `intervalMs` apart. Slots are reserved synchronously, so concurrent callers queue in
 * call order instead of all waking at once.
 */
class IntervalScheduler {
  private nextSlot = -Infinity;
  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {}

  async acquire(): Promise<void> {
    const now = this.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + this.intervalMs;
    if (slot > now) await this.sleep(slot - now);
  }
}

/** Exponential backoff with additive jitter, so many clients retrying together do not hit the server in lockstep. */
function backoffMs(attempt: number): number {
  const exp = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
  return Math.round(exp + Math.random() * BACKOFF_BASE_MS);
}

/** The longest Retry-After honoured: a server asking for more is treated as down for now (the call fails, we fall back). */
const MAX_RETRY_AFTER_MS = 60_000;

/** Retry-After in seconds, capped; the HTTP-date form is rare from API servers and falls back to backoff. */
function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  return Math.min(MAX_RETRY_AFTER_MS, Math.round(Number(value) * 1000));
}

function errorMessage(body: string): string {
  try {
    const parsed = ChatErrorBodySchema.safeParse(JSON.parse(body));
    if (parsed.success) return parsed.data.error.message;
  } catch {
    // Not JSON: quote the raw body below.
  }
  return truncate(body) || '(empty body)';
}

function truncate(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > ERROR_BODY_CHARS ? `${flat.slice(0, ERROR_BODY_CHARS)}...` : flat;
}

/** fetch's "fetch failed" hides the real cause (ECONNREFUSED, ECONNRESET...) one level down. */
function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}

const shared = new Map<string, TeacherClient>();

/**
 * One client per endpoint, model and settings in this process, so every shard a worker runs at once shares one rate
 * limit and one in-memory cache (a worker runs several shards in parallel).
 */
export function sharedTeacherClient(config: TeacherConfigInput): TeacherClient {
  const key = sha256Json(TeacherConfigSchema.parse(config));
  let c = shared.get(key);
  if (!c) shared.set(key, (c = new TeacherClient(config)));
  return c;
}
