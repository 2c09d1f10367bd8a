import type { FuzzHelpers } from '../fuzz/service.mjs';
export interface FaultCheck {
  name: string;
  ok: boolean;
  detail: string;
}
export interface FaultResult {
  ok: boolean;
  checks: FaultCheck[];
  figures: {
    firstStartMs: number;
    restartMs: number;
    kill: { acknowledged: number; lost: number; notAcknowledged: number; restartMs: number };
    outage: { requests: number; failed: number; failedWith503: number; recoveryMs: number | null; readinessBackMs: number; stopMs: number; logLines: number };
    sigterm: { requests: number; failed: number; exitCode: number | null; readinessNoticedMs: number; listenerClosedMs: number; exitMs: number; inFlightAcrossClose: number };
    worker: { workers: number; requests: number; failed: number; inFlightAtKill: number; failedStartedAfterKill: number; servedAfterKill: number; replacementMs: number | null };
  };
}
export function runFaults(options: { short?: boolean; dist?: string; helpers: FuzzHelpers; log?: (message: string) => void }): Promise<FaultResult>;
