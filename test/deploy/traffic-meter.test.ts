import { describe, expect, it } from 'vitest';
import type { RouterStatus } from '../../src/deploy/router-protocol.js';
import { TrafficMeter } from '../../src/deploy/traffic-meter.js';

// Rates from the router's cumulative counts: readings given with their times, as the controller takes them.

function reading(blue: [number, number, number, number], green: [number, number, number, number] = [0, 0, 0, 0]): RouterStatus {
  const colour = ([requests, serverErrors, rpcErrors, latencyMsSum]: number[]) => ({
    state: 'active' as const,
    address: null,
    inFlight: 0,
    sessions: 0,
    sockets: 0,
    requests: requests!,
    serverErrors: serverErrors!,
    rpcErrors: rpcErrors!,
    latencyMsSum: latencyMsSum!,
  });
  return { generation: 1, active: 'blue', port: 1, colours: { blue: colour(blue), green: colour(green) } };
}

const meter = () => new TrafficMeter(() => Promise.reject(new Error('not read in this test')), { sampleMs: 1000, windowMs: 5000 });

describe('TrafficMeter', () => {
  it('has no rates from a single reading', () => {
    const m = meter();
    expect(m.view()).toBeNull();
    m.record(reading([10, 0, 0, 50]), 1000);
    expect(m.view()).toBeNull();
  });

  it('gives requests per second, error rate (5xx and JSON-RPC errors) and mean latency over the span of its readings', () => {
    const m = meter();
    m.record(reading([100, 1, 0, 500], [7, 0, 0, 70]), 10_000);
    m.record(reading([300, 5, 6, 2500], [7, 0, 0, 70]), 12_000);
    const v = m.view()!;
    expect(v.windowMs).toBe(2000);
    expect(v.sampledAt).toBe(new Date(12_000).toISOString());
    expect(v.colours.blue).toEqual({ requests: 300, errors: 11, rps: 100, errorRate: 0.05, avgLatencyMs: 10 });
    // No request in the window: no latency, not a zero one.
    expect(v.colours.green).toEqual({ requests: 7, errors: 0, rps: 0, errorRate: 0, avgLatencyMs: null });
  });

  it('keeps one reading at or before the window start, so the rates span the whole window and no more', () => {
    const m = meter();
    for (let s = 0; s <= 20; s++) m.record(reading([s * 10, 0, 0, s * 20]), s * 1000);
    const v = m.view()!;
    expect(v.windowMs).toBe(5000);
    expect(v.colours.blue.rps).toBe(10);
    expect(v.colours.blue.avgLatencyMs).toBe(2);
  });

  it('starts over when the counts go down (a new router process)', () => {
    const m = meter();
    m.record(reading([1000, 0, 0, 0]), 0);
    m.record(reading([1100, 0, 0, 0]), 1000);
    m.record(reading([5, 0, 0, 0]), 2000);
    expect(m.view()).toBeNull();
    m.record(reading([25, 1, 0, 40]), 3000);
    expect(m.view()!.colours.blue).toMatchObject({ requests: 25, rps: 20, errorRate: 0.05, avgLatencyMs: 2 });
  });
});
