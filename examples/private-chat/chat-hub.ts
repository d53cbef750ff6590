/**
 * Who is connected: each user's open sockets ({@link ChatConnection}), and
 * fan-out to them ({@link ChatHub}). A user may have several tabs open;
 * every tab receives.
 *
 * @module
 */

/** What a connection needs from a socket (upie's `WebSocket` has both). */
export interface PacketSocket {
  sendText(text: string): Promise<void>;
  close(code?: number, reason?: string): unknown;
}

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
 * The open connections by user.
 *
 * @example
 * ```ts
 * const hub = new ChatHub();
 * const first = hub.add(connection);      // true: the user just came online
 * hub.sendTo(["alice", "bob"], packet);  // serialised once, queued on every socket of both
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

  /** Usernames with at least one open socket. */
  onlineUsernames(): string[] {
    return [...this.#byUser.keys()];
  }

  /** Sends `packet` to every socket of each user in `usernames` (each user once). */
  sendTo(usernames: Iterable<string>, packet: object): void {
    let text: string | undefined;
    const seen = new Set<string>();
    for (const username of usernames) {
      if (seen.has(username)) continue;
      seen.add(username);
      const set = this.#byUser.get(username);
      if (set === undefined) continue;
      text ??= JSON.stringify(packet);
      for (const connection of set) connection.sendRaw(text);
    }
  }

  /** Sends `packet` to every open socket. */
  broadcast(packet: object): void {
    this.sendTo(this.#byUser.keys(), packet);
  }

  /** Closes every socket opened with session `sessionKey` (on logout). */
  closeSession(sessionKey: string, code: number, reason: string): void {
    for (const set of this.#byUser.values()) {
      for (const connection of set) if (connection.sessionKey === sessionKey) connection.close(code, reason);
    }
  }
}
