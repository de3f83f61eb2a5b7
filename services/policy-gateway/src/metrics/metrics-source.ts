/**
 * Where `GET /metrics` takes its text from: this process's registry when it serves alone, or
 * the primary, which gathers every worker's registry (prom-client's `AggregatorRegistry`), when
 * it is one of several workers. Any worker can answer a scrape for all of them, so Prometheus
 * scrapes the one port the workers share.
 */
import { AggregatorRegistry } from 'prom-client';
import type { PrimaryCalls } from '../cluster/primary-calls.js';
import type { GatewayMetrics } from './gateway-metrics.js';

export interface MetricsSource {
  readonly contentType: string;
  /** The exposition, in Prometheus' text format. */
  metrics(): Promise<string>;
}

export function localMetrics(metrics: GatewayMetrics): MetricsSource {
  return {
    contentType: metrics.registry.contentType,
    metrics: () => metrics.registry.metrics(),
  };
}

/**
 * A worker's metrics: registered with prom-client's cluster listener (which answers the
 * primary's requests for this registry), and read back aggregated through the primary.
 */
export function clusterMetrics(metrics: GatewayMetrics, primary: PrimaryCalls): MetricsSource {
  // Constructing one installs prom-client's listener in this worker.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([metrics.registry]);
  return {
    contentType: metrics.registry.contentType,
    metrics: () => primary.call<string>('metrics', 'cluster'),
  };
}

/** The primary's side: what a worker's call for every worker's metrics runs. */
export function clusterMetricsTarget(): { cluster: () => Promise<string> } {
  const aggregator = new AggregatorRegistry();
  return { cluster: () => aggregator.clusterMetrics() };
}
