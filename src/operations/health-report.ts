/** What `db.health()` answers: types only, so the public declarations do not reach the stores' drivers. */
export type HealthStatus = 'up' | 'degraded' | 'down';

export interface StoreHealth {
  status: HealthStatus;
  latencyMs: number;
  details: Record<string, unknown>;
  error?: string;
}

export interface HealthReport {
  status: HealthStatus;
  stores: Record<string, StoreHealth>;
}

export interface HealthOptions {
  /** Gives up on a store after this long, in milliseconds (default 2,000; at most 2^31-1, longer is that): it is then `down`. */
  timeoutMs?: number | undefined;
}
