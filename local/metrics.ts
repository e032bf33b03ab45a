/**
 * GET /metrics of the local server: Prometheus text. `vss_service_up` as the reference server
 * exposes it, plus requests by operation and status and a latency histogram by operation, and,
 * under a memory bound (`--max-in-flight-bytes`), the bytes held against it now, at most so far,
 * and the bound itself.
 * Operation labels are bounded (the four operations, `health`, `metrics`, `other`), so a client
 * cannot grow the label set.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export type OperationLabel = string;

export class LocalMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'vss_requests_total',
    help: 'Requests answered, by operation and HTTP status (aborted when the client left first).',
    labelNames: ['operation', 'status'] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'vss_request_duration_seconds',
    help: 'Time from request to response, by operation.',
    labelNames: ['operation'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor() {
    new Gauge({ name: 'vss_service_up', help: 'Always 1 while the server runs.', registers: [this.registry] }).set(1);
  }

  /** Gauges of the server's memory bound (memory-budget.ts), read when /metrics is asked. */
  watchMemory(memory: { readonly inFlight: number; readonly highWater: number; readonly limit: number }): void {
    const gauge = (name: string, help: string, read: () => number): void => {
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.set(read());
        },
      });
    };
    gauge('vss_in_flight_bytes', 'Request body and large-read bytes held against --max-in-flight-bytes now.', () => memory.inFlight);
    gauge('vss_in_flight_bytes_peak', 'The most bytes held against --max-in-flight-bytes at once since the start.', () => memory.highWater);
    gauge('vss_in_flight_bytes_limit', 'The bound itself (--max-in-flight-bytes).', () => memory.limit);
  }

  record(operation: OperationLabel, status: number | 'aborted', durationMs: number): void {
    this.requests.inc({ operation, status: String(status) });
    this.latency.observe({ operation }, durationMs / 1000);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
