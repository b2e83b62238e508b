/**
 * The soak's client side: every request through the router with its answer, and every subscription
 * event, logged as it happens (JSONL, one object a line) and kept for the history checker.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { EventRecord, FaultRecord, RequestRecord } from './history.js';

export class ClientLog {
  readonly requests: RequestRecord[] = [];
  readonly events: EventRecord[] = [];
  readonly faults: FaultRecord[] = [];
  private readonly out: WriteStream;
  private readonly started = Date.now();

  constructor(readonly file: string) {
    this.out = createWriteStream(file, { flags: 'a' });
  }

  /** Milliseconds since the log was opened. */
  now(): number {
    return Date.now() - this.started;
  }

  request(record: Omit<RequestRecord, 't'> & { t?: number }): RequestRecord {
    const entry = { ...record, t: record.t ?? this.now() };
    this.requests.push(entry);
    this.write({ entry: 'request', ...entry });
    return entry;
  }

  event(record: Omit<EventRecord, 't'>): void {
    const entry = { ...record, t: this.now() };
    this.events.push(entry);
    this.write({ entry: 'event', ...entry });
  }

  fault(record: FaultRecord): void {
    this.faults.push(record);
    this.write({ entry: 'fault', ...record });
  }

  /** Anything else worth a line (a subscription's error, a phase starting). */
  note(what: string, detail: Record<string, unknown> = {}): void {
    this.write({ entry: 'note', t: this.now(), what, ...detail });
  }

  private write(line: Record<string, unknown>) {
    this.out.write(`${JSON.stringify(line)}\n`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.out.end(() => resolve()));
  }
}

/** What a client makes of one answer (or of none). */
export interface Answer<D = any> {
  status: number;
  data?: D;
  codes: string[];
}

/**
 * POSTs `query` to the router like a storefront and logs it as `op`. Never throws: a refused
 * connection, a reset or no answer within `timeoutMs` is status 0 with code NETWORK or TIMEOUT.
 */
export async function send<D = any>(
  log: ClientLog,
  url: string,
  op: string,
  query: string,
  variables: Record<string, unknown>,
  {
    token,
    timeoutMs = 15_000,
    extra = {},
    describe = () => ({}),
  }: {
    token?: string;
    timeoutMs?: number;
    /** Logged with the request (the customer, the idempotency key). */
    extra?: Partial<RequestRecord>;
    /** Logged from the answer (the order it named). */
    describe?: (answer: Answer<D>) => Partial<RequestRecord>;
  } = {},
): Promise<Answer<D>> {
  const t = log.now();
  const started = Date.now();
  let answer: Answer<D>;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let body: { data?: D; errors?: { extensions?: { code?: string } }[] } = {};
    try {
      body = JSON.parse(text);
    } catch {
      body = { errors: [{ extensions: { code: `HTTP_${response.status}` } }] };
    }
    answer = {
      status: response.status,
      ...(body.data !== undefined && body.data !== null ? { data: body.data } : {}),
      codes: (body.errors ?? []).map((e) => e.extensions?.code ?? 'NO_CODE'),
    };
  } catch (error) {
    const name = (error as Error).name;
    answer = { status: 0, codes: [name === 'TimeoutError' || name === 'AbortError' ? 'TIMEOUT' : 'NETWORK'] };
  }
  log.request({
    t,
    op,
    status: answer.status,
    codes: answer.codes,
    ms: Date.now() - started,
    ...extra,
    ...describe(answer),
  });
  return answer;
}
