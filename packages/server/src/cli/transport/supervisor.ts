export interface BackoffPolicy {
  /** First delay between retries (ms); doubles each retry up to maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Retries after the first, immediate attempt, before the supervisor gives up. */
  maxRetries: number;
  /** A connection that stayed up this long resets the retry count. */
  healthyResetMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  initialDelayMs: 1000,
  maxDelayMs: 30_000,
  maxRetries: 10,
  healthyResetMs: 60_000,
};

/** The delay before retry number `retry` (0-based): 1 s, 2 s, 4 s … capped at 30 s. */
export function backoffDelay(policy: BackoffPolicy, retry: number): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** retry);
}

/**
 * Runs a recovery step with exponential backoff. The retry count is shared across recoveries
 * and only resets once the connection has been healthy for a while, so a server that dies right
 * after every restart ends in a clear failure instead of an endless restart loop.
 */
export class Supervisor {
  private retries = 0;
  private healthySince: number | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly policy: BackoffPolicy = DEFAULT_BACKOFF,
    private readonly log: (line: string) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  /** Resolves true once `attempt` succeeds, false when the retries are used up (or stop() was called). */
  async run(what: string, attempt: () => Promise<void>): Promise<boolean> {
    if (this.healthySince !== undefined && this.now() - this.healthySince >= this.policy.healthyResetMs) {
      this.retries = 0;
    }
    this.healthySince = undefined;
    for (;;) {
      if (this.stopped) return false;
      try {
        await attempt();
        this.healthySince = this.now();
        return true;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (this.retries >= this.policy.maxRetries) {
          this.log(`${what} failed: ${message}. Giving up after ${this.policy.maxRetries} retries.`);
          this.healthySince = this.now();
          return false;
        }
        const delay = backoffDelay(this.policy, this.retries);
        this.retries++;
        this.log(
          `${what} failed: ${message}. Retry ${this.retries}/${this.policy.maxRetries} in ${Math.round(delay / 100) / 10} s`,
        );
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }

  get retryCount(): number {
    return this.retries;
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }
}
