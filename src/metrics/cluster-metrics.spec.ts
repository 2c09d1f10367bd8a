import { describe, expect, it, jest } from '@jest/globals';
import cluster from 'node:cluster';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { Counter, Histogram, Registry } from 'prom-client';
import { parsePrometheusText, sampleValue } from '../../test/utils/prometheus-text.js';
import { answerClusterMetricsRequests, ClusterMetrics, type MetricsWorker } from './cluster-metrics.js';

let nextId = 1;

/** A worker process in miniature: its registry answers over a fake IPC channel, as a real worker's does over process.send. */
function fakeWorker(requests: number, options: { answers?: boolean; connected?: boolean } = {}): MetricsWorker {
  const registry = new Registry();
  new Counter({ name: 'demo_requests_total', help: 'demo', labelNames: ['route'], registers: [registry] }).inc({ route: '/x' }, requests);
  new Histogram({ name: 'demo_seconds', help: 'demo', buckets: [1], registers: [registry] }).observe(0.5);
  const channel = new EventEmitter() as EventEmitter & { send(message: unknown): boolean };
  const worker: MetricsWorker = {
    id: nextId++,
    process: { pid: 1000 + nextId },
    isConnected: () => options.connected ?? true,
    send: ((message: unknown, callback?: (err: Error | null) => void) => {
      if (options.answers ?? true) setImmediate(() => channel.emit('message', message));
      callback?.(null);
      return true;
    }) as MetricsWorker['send'],
  };
  channel.send = (message: unknown) => cluster.emit('message', worker, message);
  answerClusterMetricsRequests(registry, channel);
  return worker;
}

const quietLogger = () => ({ warn: jest.fn() }) as unknown as Logger & { warn: jest.Mock };

describe('ClusterMetrics (the cluster primary collecting its workers)', () => {
  it('answers with every serving worker’s series, each labelled by its slot', async () => {
    const metrics = new ClusterMetrics(quietLogger());
    metrics.serve(fakeWorker(3), 0);
    metrics.serve(fakeWorker(5), 1);
    const rendered = await metrics.render();
    expect(rendered.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const families = parsePrometheusText(rendered.body);
    expect(families.get('demo_requests_total')).toMatchObject({ type: 'counter', help: 'demo' });
    expect(sampleValue(families, 'demo_requests_total', { route: '/x', worker: '0' })).toBe(3);
    expect(sampleValue(families, 'demo_requests_total', { route: '/x', worker: '1' })).toBe(5);
    expect(sampleValue(families, 'demo_seconds_count', { worker: '1' })).toBe(1);
    expect(sampleValue(families, 'demo_seconds_bucket', { le: '1', worker: '0' })).toBe(1);
  });

  it('leaves out, and logs, a worker that does not answer in time or is disconnected; forgets one that is gone', async () => {
    const logger = quietLogger();
    const metrics = new ClusterMetrics(logger, 50);
    const gone = fakeWorker(7);
    metrics.serve(fakeWorker(3), 0);
    metrics.serve(fakeWorker(4, { answers: false }), 1);
    metrics.serve(fakeWorker(6, { connected: false }), 2);
    metrics.serve(gone, 3);
    metrics.gone(gone);
    const families = parsePrometheusText((await metrics.render()).body);
    expect(families.get('demo_requests_total')!.samples.map((s) => [s.labels.worker, s.value])).toEqual([['0', 3]]);
    expect(logger.warn).toHaveBeenCalledTimes(2);
    expect(logger.warn).toHaveBeenCalledWith(expect.objectContaining({ worker: 1, error: 'no answer' }), expect.stringContaining('did not answer'));
  });

  it('answers an empty exposition when no worker serves yet', async () => {
    expect((await new ClusterMetrics(quietLogger()).render()).body.trim()).toBe('');
  });
});
