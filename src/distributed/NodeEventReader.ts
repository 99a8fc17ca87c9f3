import type { Redis } from 'ioredis';

/**
 * What the coordinator hears about a job of one of its nodes. `duplicated`: an add found a job of
 * that id on the queue already (BullMQ then adds nothing), in whatever state it is.
 */
export type NodeEvent =
  | { readonly kind: 'active' | 'stalled' | 'duplicated'; readonly node: string; readonly jobId: string }
  | { readonly kind: 'completed'; readonly node: string; readonly jobId: string; readonly returnvalue: string }
  | { readonly kind: 'failed'; readonly node: string; readonly jobId: string; readonly failedReason: string };

/** Options of {@link NodeEventReader}. */
export interface NodeEventReaderOptions {
  /** A connection of the reader's own (it blocks); disconnected at `close()`. */
  readonly redis: Redis;
  /** Each node's BullMQ event stream key, and the id of the last entry already seen there. */
  readonly streams: ReadonlyMap<string, { readonly key: string; readonly lastId: string }>;
  /** How long one blocking read waits for the first event, in ms. */
  readonly blockMs: number;
  /** Called with the events of one read, in stream order per node. */
  readonly onEvents: (events: readonly NodeEvent[]) => void;
}

/** Entries taken from the streams in one read: enough that a burst costs one round trip. */
const COUNT = 10_000;
/** Slack past the server-side BLOCK before a read counts as hung (a reconnect can lose it). */
const WATCHDOG_MS = 5000;
/** Pause after a failed read (Redis unreachable): ioredis reconnects meanwhile. */
const RETRY_MS = 200;

type Kind = NodeEvent['kind'];
const KINDS: ReadonlySet<string> = new Set<Kind>(['active', 'completed', 'failed', 'stalled', 'duplicated']);

/** Turns one stream entry's fields into an event, or undefined for events nobody here needs. */
function toEvent(node: string, fields: readonly string[]): NodeEvent | undefined {
  // BullMQ writes `event <name> jobId <id> …`; other kinds (added, waiting, drained…) are skipped unread.
  const name = fields[0] === 'event' ? fields[1] : undefined;
  if (name === undefined || !KINDS.has(name) || fields[2] !== 'jobId') return undefined;
  const kind = name as Kind;
  const jobId = fields[3] as string;
  if (kind === 'active' || kind === 'stalled' || kind === 'duplicated') return { kind, node, jobId };
  let value = '';
  const wanted = kind === 'completed' ? 'returnvalue' : 'failedReason';
  for (let i = 4; i + 1 < fields.length; i += 2) if (fields[i] === wanted) value = fields[i + 1] as string;
  return kind === 'completed' ? { kind, node, jobId, returnvalue: value } : { kind, node, jobId, failedReason: value };
}

/**
 * Reads the BullMQ event streams of every node with one blocking `XREAD` at a time, and hands
 * each read's job events to `onEvents` as one batch: the coordinator pays one round trip for
 * however many outcomes arrived meanwhile, whatever the number of nodes, and decodes only the
 * events it acts on. A read lost to a reconnect is abandoned after a watchdog and issued again;
 * outcomes missed all the same are found by the executor's reconciling check.
 *
 * @example
 * const reader = new NodeEventReader({ redis, streams, blockMs: 1000, onEvents: (events) => handle(events) });
 * reader.start();
 * await reader.close();
 */
export class NodeEventReader {
  readonly #o: NodeEventReaderOptions;
  readonly #nodes: string[];
  readonly #keys: string[];
  readonly #ids: string[];
  #isClosed = false;

  constructor(options: NodeEventReaderOptions) {
    this.#o = options;
    this.#nodes = [...options.streams.keys()];
    this.#keys = [...options.streams.values()].map((stream) => stream.key);
    this.#ids = [...options.streams.values()].map((stream) => stream.lastId);
  }

  start(): void {
    void this.#loop();
  }

  async close(): Promise<void> {
    this.#isClosed = true;
    this.#o.redis.disconnect();
  }

  async #loop(): Promise<void> {
    while (!this.#isClosed) {
      let reply: [string, [string, string[]][]][] | null | undefined;
      try {
        reply = await this.#read();
      } catch {
        if (this.#isClosed) return;
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        continue;
      }
      if (this.#isClosed) return;
      if (reply === undefined) {
        // Hung past its BLOCK: drop the connection's pending read and ask again.
        this.#o.redis.disconnect(true);
        continue;
      }
      if (reply !== null) this.#deliver(reply);
    }
  }

  #read(): Promise<[string, [string, string[]][]][] | null | undefined> {
    const { redis, blockMs } = this.#o;
    const read = redis.xread('COUNT', COUNT, 'BLOCK', blockMs, 'STREAMS', ...this.#keys, ...this.#ids);
    let timer: NodeJS.Timeout | undefined;
    const watchdog = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, blockMs + WATCHDOG_MS, undefined)));
    read.catch(() => undefined);
    return Promise.race([read, watchdog]).finally(() => clearTimeout(timer));
  }

  #deliver(reply: [string, [string, string[]][]][]): void {
    const events: NodeEvent[] = [];
    for (const [key, entries] of reply) {
      const index = this.#keys.indexOf(key);
      if (index < 0 || entries.length === 0) continue;
      const node = this.#nodes[index] as string;
      for (const [, fields] of entries) {
        const event = toEvent(node, fields);
        if (event !== undefined) events.push(event);
      }
      this.#ids[index] = (entries[entries.length - 1] as [string, string[]])[0];
    }
    if (events.length === 0) return;
    try {
      this.#o.onEvents(events);
    } catch {
      // A listener's fault must not stop the reading: outcomes would stop for every node.
    }
  }
}
