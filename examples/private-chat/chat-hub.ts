/**
 * Who is connected to this process: each user's open sockets
 * ({@link ChatConnection}) and the registry of them ({@link ChatHub}).
 * Fan-out does not happen here: packets for a user are published on their
 * topic ({@link userTopic}), which every socket of theirs, in any process,
 * subscribes to.
 *
 * @module
 */

/** What a connection needs from a socket (upie's `WebSocket` has all three). */
export interface PacketSocket {
  sendText(text: string): Promise<void>;
  close(code?: number, reason?: string): unknown;
  subscribe(topic: string): unknown;
}

/** The topic every socket of `username` subscribes to: packets for them are published there. */
export function userTopic(username: string): string {
  return `chat:user:${username}`;
}

/** The topic every socket subscribes to (`users-changed`). */
export const EVERYONE_TOPIC = "chat:everyone";

/** The per-socket packet budget: a token bucket. */
export interface PacketRate {
  /** Sustained packets per second. */
  perSecond: number;
  /** Packets allowed at once (the bucket's size). */
  burst: number;
}

/** The default budget: 20 packets a second, bursts of 40. */
export const DEFAULT_PACKET_RATE: Readonly<PacketRate> = Object.freeze({ perSecond: 20, burst: 40 });

/**
 * Most packets waiting to be written to one socket. A client this far
 * behind is disconnected (1008) rather than have packets dropped or memory grow.
 */
export const MAX_QUEUED_PACKETS = 4096;

/**
 * One open socket of one user. Outgoing packets go through a queue written
 * in order by a single pump, so a slow reader never stalls the sender of a
 * message, and packets to one socket are never reordered.
 */
export class ChatConnection {
  readonly username: string;
  /** The session id the socket was opened with (compared with `session_key`). */
  readonly sessionKey: string;
  readonly #socket: PacketSocket;
  readonly #rate: PacketRate;
  #queue: string[] = [];
  #pumping = false;
  #closed = false;
  #tokens: number;
  #refilledAt = performance.now();

  constructor(socket: PacketSocket, username: string, sessionKey: string, rate: PacketRate = DEFAULT_PACKET_RATE) {
    this.#socket = socket;
    this.username = username;
    this.sessionKey = sessionKey;
    this.#rate = rate;
    this.#tokens = rate.burst;
  }

  /** True once closed by either side; sends are then ignored. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Queues one serialised packet for this socket. */
  sendRaw(text: string): void {
    if (this.#closed) return;
    if (this.#queue.length >= MAX_QUEUED_PACKETS) {
      this.close(1008, "too slow to keep up");
      return;
    }
    this.#queue.push(text);
    if (!this.#pumping) void this.#pump();
  }

  /** Queues one packet for this socket. */
  send(packet: object): void {
    this.sendRaw(JSON.stringify(packet));
  }

  /** Subscribes the socket to what is published for its user and for everyone. */
  subscribe(): void {
    this.#socket.subscribe(userTopic(this.username));
    this.#socket.subscribe(EVERYONE_TOPIC);
  }

  /** Takes one packet's worth from the budget; false when the client is over it. */
  takeToken(now = performance.now()): boolean {
    const { perSecond, burst } = this.#rate;
    this.#tokens = Math.min(burst, this.#tokens + ((now - this.#refilledAt) * perSecond) / 1000);
    this.#refilledAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Closes the socket (idempotent); queued packets are discarded with it. */
  close(code = 1000, reason = ""): void {
    if (this.#closed) return;
    this.markClosed();
    try {
      void Promise.resolve(this.#socket.close(code, reason)).catch(() => {});
    } catch {
      // Already closed by the peer: nothing left to do.
    }
  }

  /** Records that the socket is gone (the peer closed it). */
  markClosed(): void {
    this.#closed = true;
    this.#queue = [];
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      // Swap the queue out so packets queued while a send waits for drain form the next batch, in order.
      while (this.#queue.length > 0 && !this.#closed) {
        const batch = this.#queue;
        this.#queue = [];
        for (const text of batch) {
          if (this.#closed) return;
          await this.#socket.sendText(text);
        }
      }
    } catch {
      // The socket closed under us (ConnectionClosed); the handler's loop sees it too and cleans up.
      this.markClosed();
    } finally {
      this.#pumping = false;
    }
  }
}

/**
 * This process's open connections by user.
 *
 * @example
 * ```ts
 * const hub = new ChatHub();
 * const first = hub.add(connection);  // true: the user's first socket here
 * hub.closeSession(sessionKey, 4001, "logged out");
 * ```
 */
export class ChatHub {
  readonly #byUser = new Map<string, Set<ChatConnection>>();

  /** Registers an open connection; true when it is the user's first (they came online). */
  add(connection: ChatConnection): boolean {
    let set = this.#byUser.get(connection.username);
    const first = set === undefined;
    if (set === undefined) this.#byUser.set(connection.username, (set = new Set()));
    set.add(connection);
    return first;
  }

  /** Forgets a connection; true when it was the user's last (they went offline). */
  remove(connection: ChatConnection): boolean {
    const set = this.#byUser.get(connection.username);
    if (set === undefined || !set.delete(connection)) return false;
    if (set.size > 0) return false;
    this.#byUser.delete(connection.username);
    return true;
  }

  isOnline(username: string): boolean {
    return this.#byUser.has(username);
  }

  /** Usernames with at least one open socket here. */
  onlineUsernames(): string[] {
    return [...this.#byUser.keys()];
  }

  /** Closes every socket opened with session `sessionKey` (on logout). */
  closeSession(sessionKey: string, code: number, reason: string): void {
    for (const set of this.#byUser.values()) {
      for (const connection of set) if (connection.sessionKey === sessionKey) connection.close(code, reason);
    }
  }
}
