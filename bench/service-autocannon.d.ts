/** The part of autocannon's API the service benchmark and the load test use (the package ships no types). */
declare module 'autocannon' {
  export interface Options {
    url: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    connections?: number;
    pipelining?: number;
    duration?: number;
    amount?: number;
    /** timeout is seconds to wait for an answer; sampleInt the milliseconds between samples (and between stop() and the end). */
    timeout?: number;
    sampleInt?: number;
    skipAggregateResult?: boolean;
    /** histograms replace the instance's own (its worker mode passes objects marked __custom). */
    histograms?: Record<'latencies' | 'requests' | 'throughput', CustomHistogram>;
    /** requests, when given, are sent in turn; setupRequest may change each one as it goes. */
    requests?: Array<{
      setupRequest?: (request: RequestParams) => RequestParams;
      onResponse?: (status: number, body: string) => void;
    }>;
  }
  export interface CustomHistogram {
    __custom: true;
    recordValue(value: number): void;
    recordValueWithExpectedInterval(value: number, interval: number): void;
    reset(): void;
    destroy(): void;
  }
  /** Instance is a running autocannon: its events, and stop() to end it at the next sample. */
  export interface Instance {
    on(
      event: 'response',
      listener: (
        client: unknown,
        statusCode: number,
        resBytes: number,
        responseTime: number,
      ) => void,
    ): this;
    on(event: 'reqError', listener: (error: Error & { code?: string }) => void): this;
    stop(): void;
  }
  export interface RequestParams {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
  }
  export interface Histogram {
    average: number;
    mean: number;
    p50: number;
    p90: number;
    p99: number;
    max: number;
    total: number;
  }
  export interface Result {
    requests: Histogram;
    latency: Histogram;
    '2xx': number;
    non2xx: number;
    errors: number;
    timeouts: number;
    duration: number;
    statusCodeStats: Record<string, { count: number }>;
  }
  function autocannon(options: Options): Promise<Result>;
  function autocannon(
    options: Options,
    callback: (error: Error | null, result: Result) => void,
  ): Instance;
  export default autocannon;
}
