import type { FaultResult } from './index.mjs';
export function formatReport(result: FaultResult): string;
