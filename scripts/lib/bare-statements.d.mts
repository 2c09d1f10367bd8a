export const TENANT: string;
export const VALUE: string;
export interface BareStatements {
  lookup: { sql: string; params: unknown[] };
  byId: string;
  byEmailKey: string;
  insertUser: string;
  insertAudit: string;
  claimAssertion: string;
  insertSession: string;
  auditCoalesceWindowSeconds: number;
  sessionAbsoluteSeconds: number;
  poolSize: number;
  clockSkewMs: number;
  maxAssertionAgeMs: number;
  selfCheck?: string;
}
export function fromDist(root: string): (file: string) => Promise<Record<string, unknown>>;
export function bareStatements(load: (file: string) => Promise<unknown>, env?: Record<string, string | undefined>): Promise<BareStatements>;
