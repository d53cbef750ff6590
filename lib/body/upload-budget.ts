/**
 * What one app lets all its multipart uploads hold at once: how many run
 * in flight, and how many file bytes they keep (spooled to disk or held in
 * memory) until their requests end.
 *
 * Per-request limits bound one upload; without these, many slow uploaders
 * together fill the disk (issue 10: 12 of them held 1.09 GiB of temp files).
 *
 * @module
 */
import { ERRORS, HttpError } from "../protocol/errors.js";

/** Seconds a client refused for capacity is told to wait (`Retry-After`). */
const RETRY_AFTER_SECONDS = "5";

/** The app-wide counters; one per app. */
export class UploadBudget {
  readonly #maxUploads: number;
  readonly #maxBytes: number;
  #uploads = 0;
  #bytes = 0;

  /**
   * @param maxUploads - multipart requests in flight at once (`limits.uploads`).
   * @param maxBytes - file bytes held by all of them together (`limits.spoolBytes`).
   */
  constructor(maxUploads: number, maxBytes: number) {
    this.#maxUploads = maxUploads;
    this.#maxBytes = maxBytes;
  }

  /** Multipart requests in flight now. */
  get uploads(): number {
    return this.#uploads;
  }

  /** File bytes held now. */
  get bytes(): number {
    return this.#bytes;
  }

  /** A lease for one request; it takes nothing until the request starts an upload. */
  lease(): UploadLease {
    return new UploadLease(this);
  }

  /** @internal */
  tryEnter(): boolean {
    if (this.#uploads >= this.#maxUploads) return false;
    this.#uploads++;
    return true;
  }

  /** @internal */
  tryReserve(bytes: number): boolean {
    if (this.#bytes + bytes > this.#maxBytes) return false;
    this.#bytes += bytes;
    return true;
  }

  /** @internal */
  give(uploads: number, bytes: number): void {
    this.#uploads -= uploads;
    this.#bytes -= bytes;
  }
}

/**
 * One request's share of the {@link UploadBudget}: a slot while it uploads,
 * and the file bytes it keeps, all given back by {@link UploadLease.release}
 * once the response is written and its files are disposed of.
 */
export class UploadLease {
  readonly #budget: UploadBudget;
  #entered = false;
  #bytes = 0;
  #released = false;

  constructor(budget: UploadBudget) {
    this.#budget = budget;
  }

  /**
   * Takes an upload slot.
   *
   * @throws {@link HttpError} 503 `UPIE_ERR_UPLOADS_BUSY` (with `Retry-After`) when every slot is taken.
   */
  enter(): void {
    if (this.#entered || this.#released) return;
    if (!this.#budget.tryEnter()) {
      throw HttpError.of(ERRORS.UPLOADS_BUSY, undefined, { "retry-after": RETRY_AFTER_SECONDS });
    }
    this.#entered = true;
  }

  /**
   * Counts `bytes` more file bytes against the app's total.
   *
   * @throws {@link HttpError} 503 `UPIE_ERR_SPOOL_FULL` (with `Retry-After`) past `limits.spoolBytes`.
   */
  reserve(bytes: number): void {
    if (!this.#budget.tryReserve(bytes)) {
      throw HttpError.of(ERRORS.SPOOL_FULL, undefined, { "retry-after": RETRY_AFTER_SECONDS });
    }
    this.#bytes += bytes;
  }

  /** Gives the slot and the bytes back. Idempotent. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#budget.give(this.#entered ? 1 : 0, this.#bytes);
    this.#bytes = 0;
  }
}
