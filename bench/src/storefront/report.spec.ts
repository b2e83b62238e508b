import { describe, expect, it } from '@jest/globals';
import { StepRecorder, summarizeStep, verdict, type CpuSnapshot, type StepResult } from './report.js';

const snapshot = (service: number, loadGenerator: number, busy: number, total: number): CpuSnapshot => ({
  services: { router: service, products: service / 2 },
  loadGenerator,
  infra: { postgres: { 1: 1, 2: 2 }, redis: { 3: 1 }, kafka: { 4: 1 } },
  machine: { busy, total },
});

const step = (users: number, rps: number, p99: number, errors = 0) =>
  ({ users, rps, p99, errors }) as StepResult;

describe('storefront report', () => {
  it('summarizes a step: req/s, percentiles by operation, errors by code, CPU per request', () => {
    const recorder = new StepRecorder();
    for (let ms = 1; ms <= 100; ms += 1) recorder.record('Products', 'browse', ms);
    recorder.record('PlaceOrder', 'checkout', 500, { code: 'INTERNAL_SERVER_ERROR', message: 'boom' });
    recorder.record('PlaceOrder', 'checkout', 300, { code: 'INTERNAL_SERVER_ERROR', message: 'again' });
    const result = summarizeStep({
      users: 4,
      seconds: 2,
      recorder,
      before: snapshot(10, 1, 100, 200),
      after: snapshot(12, 1.5, 103, 204),
    });
    expect(result).toMatchObject({ requests: 102, rps: 51, errors: 2, machineBusy: 0.75 });
    expect(result.byOperation.Products).toEqual({ requests: 100, rps: 50, p50: 50, p99: 99, errors: 0 });
    expect(result.byOperation.PlaceOrder).toMatchObject({ requests: 2, errors: 2, p99: 500 });
    expect(result.kinds).toEqual({ browse: 100, product: 0, cart: 0, checkout: 2 });
    expect(result.errorsByCode).toEqual([
      { operation: 'PlaceOrder', code: 'INTERNAL_SERVER_ERROR', count: 2, sample: 'boom' },
    ]);
    expect(result.cpuSeconds.services).toEqual({ router: 2, products: 1 });
    // 3 CPU seconds of the stack over 102 requests; 3 of the machine.
    expect(result.cpuMsPerRequest.stack).toBeCloseTo(29.41, 2);
    expect(result.cpuMsPerRequest.loadGenerator).toBeCloseTo(4.9, 2);
    expect(result.cpuMsPerRequest.infra).toBe(0);
    expect(result.cpuSeconds.infra).toEqual({ postgres: 0, redis: 0, kafka: 0 });
    expect(result.cpuMsPerRequest.machine).toBeCloseTo(29.41, 2);
  });

  it('counts the infrastructure by process: one that started counts from 0, one that exited is left out', () => {
    const before = snapshot(10, 1, 100, 200);
    const after = snapshot(10, 1, 100, 200);
    after.infra.postgres = { 1: 1.5, 5: 0.25 };
    const result = summarizeStep({ users: 1, seconds: 1, recorder: new StepRecorder(), before, after });
    expect(result.cpuSeconds.infra.postgres).toBe(0.75);
  });

  it('finds the saturation point and the step nearest half of it, and judges the targets', () => {
    const steps = [step(2, 70, 80), step(4, 130, 120), step(8, 260, 300), step(16, 250, 900)];
    const result = verdict(steps, 0);
    expect(result.saturation).toEqual({ users: 8, rps: 260 });
    expect(result.half).toEqual({ users: 4, rps: 130, p99: 120 });
    expect(result.targets.map((t) => t.met)).toEqual([true, true, true]);

    const worse = verdict([step(2, 69, 85), step(4, 80, 150, 1), step(32, 87, 760), step(64, 40, 2000)], 2);
    expect(worse.saturation).toEqual({ users: 32, rps: 87 });
    expect(worse.half).toEqual({ users: 2, rps: 69, p99: 85 });
    expect(worse.errors).toBe(3);
    expect(worse.targets.map((t) => t.met)).toEqual([false, true, false]);
  });
});
