/** The checks (PASS/FAIL with what was measured) and the headline figures, as text. */
export function formatReport({ ok, checks, figures }) {
  const lines = checks.map((c) => `${c.ok ? 'PASS' : 'FAIL'}  ${c.name}\n        ${c.detail}`);
  const f = figures;
  lines.push('');
  if (f.kill) lines.push(`kill -9 under SCIM writes: ${f.kill.acknowledged} users acknowledged, lost ${f.kill.lost}; first start to ready ${f.firstStartMs} ms, restart to ready ${f.kill.restartMs} ms`);
  if (f.outage) {
    lines.push(
      `PostgreSQL outage: ${f.outage.requests} lookups, ${f.outage.failed} failed (${f.outage.failedWith503} of them 503); first success ${f.outage.recoveryMs} ms after the database was back, readiness 200 after ${f.outage.readinessBackMs} ms; ${f.outage.logLines} log lines`,
    );
  }
  if (f.sigterm) {
    lines.push(
      `SIGTERM under load: ${f.sigterm.requests} requests, ${f.sigterm.failed} failed; readiness 503 seen after ${f.sigterm.readinessNoticedMs} ms, listener closed after ${f.sigterm.listenerClosedMs} ms, exit ${f.sigterm.exitCode} after ${f.sigterm.exitMs} ms`,
    );
  }
  if (f.worker) {
    lines.push(
      `kill -9 of 1 of ${f.worker.workers} workers: ${f.worker.requests} lookups, ${f.worker.failed} failed (${f.worker.inFlightAtKill} were in flight at the kill, ${f.worker.failedStartedAfterKill} failures started after it), replacement after ${f.worker.replacementMs} ms`,
    );
  }
  lines.push(ok ? 'faults: all checks passed' : 'faults: FAILED');
  return lines.join('\n');
}
