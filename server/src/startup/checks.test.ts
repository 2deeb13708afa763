import { describe, expect, it } from 'vitest';
import { fatalOutcomes, formatOutcome, redactUrl, runChecks, type DependencyCheck } from './checks';

function check(overrides: Partial<DependencyCheck>): DependencyCheck {
  return {
    name: 'store',
    target: 'sqlite /data/stockverify.db',
    required: true,
    hint: 'make it writable',
    probe: async () => {},
    ...overrides,
  };
}

describe('runChecks', () => {
  it('reports ok with latency, in the order given, running the probes at once', async () => {
    let clock = 0;
    const started: string[] = [];
    const outcomes = await runChecks(
      [
        check({
          name: 'store',
          probe: async () => {
            started.push('store');
            await new Promise((r) => setTimeout(r, 20));
            clock += 7;
          },
        }),
        check({
          name: 'erp',
          required: false,
          probe: async () => {
            started.push('erp');
            return { detail: 'item query returns 21 columns' };
          },
        }),
      ],
      { timeoutMs: 1000, now: () => clock },
    );
    expect(started).toEqual(['store', 'erp']);
    expect(outcomes.map((o) => [o.name, o.status])).toEqual([
      ['store', 'ok'],
      ['erp', 'ok'],
    ]);
    expect(outcomes[0]!.latency_ms).toBe(7);
    expect(formatOutcome(outcomes[1]!)).toMatch(/^ {2}ok {4}erp .* item query returns 21 columns$/);
    expect(fatalOutcomes(outcomes)).toEqual([]);
  });

  it('a failing required dependency is fatal, an optional one only warns, each with its hint', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
    });
    const outcomes = await runChecks(
      [
        check({
          name: 'coordination',
          target: 'redis redis://127.0.0.1:1',
          hint: 'start Redis or fix REDIS_URL',
          probe: () => Promise.reject(refused),
        }),
        check({
          name: 'erp',
          required: false,
          hint: 'lookups use the mirror meanwhile',
          probe: () => Promise.reject(new Error('Login failed for user sv')),
        }),
      ],
      { timeoutMs: 1000 },
    );
    expect(outcomes.map((o) => o.status)).toEqual(['fail', 'warn']);
    expect(fatalOutcomes(outcomes).map((o) => o.name)).toEqual(['coordination']);
    const line = formatOutcome(outcomes[0]!);
    expect(line).toMatch(/FAIL {2}coordination +redis redis:\/\/127.0.0.1:1: connect ECONNREFUSED/);
    expect(line).toContain('→ start Redis or fix REDIS_URL');
    expect(formatOutcome(outcomes[1]!)).toMatch(
      /WARN {2}erp .*Login failed.*→ lookups use the mirror/,
    );
  });

  it('a probe that hangs fails after the timeout', async () => {
    const [outcome] = await runChecks([check({ probe: () => new Promise(() => {}) })], {
      timeoutMs: 30,
    });
    expect(outcome!.status).toBe('fail');
    expect(outcome!.message).toMatch(/no answer within/);
  });

  it('a probe may pass with a warning (a standalone MongoDB, missing ERP columns)', async () => {
    const [outcome] = await runChecks(
      [check({ probe: async () => ({ warning: 'standalone server, not a replica set' }) })],
      { timeoutMs: 1000 },
    );
    expect(outcome!.status).toBe('warn');
    expect(fatalOutcomes([outcome!])).toEqual([]);
    expect(formatOutcome(outcome!)).toContain('standalone server');
  });

  it('names every cause of an AggregateError (a host with several addresses)', async () => {
    const [outcome] = await runChecks(
      [
        check({
          probe: () =>
            Promise.reject(
              new AggregateError([
                new Error('connect ECONNREFUSED ::1:6379'),
                new Error('connect ECONNREFUSED 127.0.0.1:6379'),
              ]),
            ),
        }),
      ],
      { timeoutMs: 1000 },
    );
    expect(outcome!.message).toBe(
      'connect ECONNREFUSED ::1:6379; connect ECONNREFUSED 127.0.0.1:6379',
    );
  });
});

describe('redactUrl', () => {
  it('hides passwords in URLs and ADO connection strings', () => {
    expect(redactUrl('redis://:s3cret@cache:6379')).toBe('redis://:***@cache:6379');
    expect(redactUrl('mongodb://sv:pw@db1,db2/stock?replicaSet=rs0')).not.toContain('pw@');
    expect(redactUrl('Server=erp;Database=ERP;User Id=sv;Password=p;w')).toBe(
      'Server=erp;Database=ERP;User Id=sv;Password=***;w',
    );
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});
