// Types of the fuzzer module for the TypeScript test that runs it (test/e2e/fuzz.e2e-spec.ts).
export interface FuzzTarget {
  base: string;
  slug: string;
  operatorToken: string;
  adminEmail: string;
  adminPassword: string;
  adminId: string;
  cookie: string;
  csrfToken: string;
  scimToken: string;
  scimUsers: { id: string; userName: string; etag: string | null }[];
  users: { id: string; email: string }[];
  certPem: string;
  keyPem: string;
  acsUrl: string;
}
export interface FuzzContext extends FuzzTarget {
  saml: string[];
}
export interface FuzzFinding {
  kind: '5xx' | 'slow' | 'no-answer';
  index: number;
  family: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  status: number;
  ms: number;
  aloneMs?: number;
  /** An honest request costing one scrypt, timed beside the re-check (slow findings only). */
  referenceMs?: number;
  answer?: string;
}
export interface FuzzResult {
  seed: number;
  first: number;
  cases: number;
  skipped: number;
  requested: number;
  complete: boolean;
  elapsedMs: number;
  statuses: Record<string, number>;
  byFamily: Record<string, Record<string, number>>;
  slowest: { index: number; family: string; ms: number; status: number }[];
  slowUnderLoad: { index: number; family: string; ms: number; aloneMs: number }[];
  unconfirmedSlow: { index: number; family: string; ms: number }[];
  findings: FuzzFinding[];
}
export function runFuzz(options: {
  base: string;
  ctx: FuzzContext;
  seed: number;
  cases: number;
  first?: number;
  concurrency?: number;
  slowMs?: number;
  timeoutMs?: number;
  maxDurationMs?: number;
  onProgress?: (p: { sent: number; elapsedMs: number }) => void;
}): Promise<FuzzResult>;
