import type { FuzzFinding, FuzzResult } from './index.mjs';
export function curlFor(finding: FuzzFinding, base: string, dir?: string): string;
export function groupFindings(findings: FuzzFinding[]): { key: string; cases: number[] }[];
export function summaryText(result: FuzzResult, extra?: { memory?: { setUp: number; start: number; warmupCases: number; peak: number; end: number; idle: { s: number; rss: number }[] } }): string;
