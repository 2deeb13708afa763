import { describe, expect, it } from 'vitest';
import {
  countInterval,
  estimateClocks,
  estimateDeviceClock,
  offsetAt,
  type ClockSample,
} from './clock';
import { MovementInputError } from './input';

// docs/design.md §13, "Worked examples — device clocks". Phone 7 runs about 5 minutes slow.
const at = (hms: string) => `2026-12-07T${hms}Z`;
const sample = (client: string, server: string): ClockSample => ({
  client_sent_at: at(client),
  server_received_at: at(server),
});
const PHONE_7 = [
  sample('08:00:00.000', '08:05:00.400'), // r − c = 300.400 s
  sample('08:10:00.000', '08:15:00.150'), // 300.150 s: the fastest request
  sample('08:20:00.000', '08:25:03.000'), // 303.000 s: a slow request, bounds only loosely
];

function refusal(fn: () => unknown): [string, string] | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof MovementInputError) return [e.code, e.path];
    throw e;
  }
  return undefined;
}

describe('device clock: worked examples (design §13)', () => {
  it('1. the fastest request bounds the offset from above, 2 s below it from below', () => {
    const clock = estimateDeviceClock(PHONE_7);
    expect(clock.segments).toHaveLength(1);
    expect(offsetAt(clock, at('08:15:00.150'))).toEqual({ low_ms: 298_100, high_ms: 300_150 });
  });

  it('2. a count at 08:12:00 on the phone happened between 08:16:58.040 and 08:17:00.212', () => {
    const clock = estimateDeviceClock(PHONE_7);
    const line = { counted_at: at('08:12:00.000'), received_at: at('08:25:03.000') };
    expect(countInterval(clock, line)).toEqual({
      earliest: at('08:16:58.040'),
      latest: at('08:17:00.212'),
      status: 'ok',
    });
  });

  it('3. a count is never later than the server received it', () => {
    const clock = estimateDeviceClock(PHONE_7);
    const line = { counted_at: at('08:12:00.000'), received_at: at('08:16:59.000') };
    expect(countInterval(clock, line)).toMatchObject({
      earliest: at('08:16:58.040'),
      latest: at('08:16:59.000'),
    });
  });

  it('4. a two-way sample bounds from below without assuming a delay', () => {
    const clock = estimateDeviceClock([
      {
        ...sample('08:00:00.000', '08:05:00.400'),
        server_sent_at: at('08:05:00.450'),
        client_received_at: at('08:00:00.500'),
      },
    ]);
    expect(offsetAt(clock, at('08:05:00.400'))).toEqual({ low_ms: 299_950, high_ms: 300_400 });
  });

  it('5. drift widens the bounds with distance from the samples (500 ppm by default)', () => {
    const clock = estimateDeviceClock([sample('08:00:00.000', '08:05:00.000')]);
    // One hour later: ± 1.8 s more on each side.
    expect(offsetAt(clock, at('09:05:00.000'))).toEqual({ low_ms: 296_200, high_ms: 301_800 });
    const tight = estimateDeviceClock([sample('08:00:00.000', '08:05:00.000')], { driftPpm: 0 });
    expect(offsetAt(tight, at('09:05:00.000'))).toEqual({ low_ms: 298_000, high_ms: 300_000 });
  });

  it('6. a clock set forward by a minute, confirmed by two requests, starts a new segment', () => {
    const clock = estimateDeviceClock([
      ...PHONE_7,
      sample('08:31:00.000', '08:30:00.100'), // r − c = −59.900 s
      sample('08:41:00.000', '08:40:00.120'),
    ]);
    expect(clock.segments.map((s) => [s.from, s.samples, s.inconsistent])).toEqual([
      [at('08:05:00.400'), 3, false],
      [at('08:30:00.100'), 2, false],
    ]);
    // Counted on the new clock after the step: placed by the new segment.
    expect(
      countInterval(clock, { counted_at: at('08:35:00.000'), received_at: at('08:40:00.120') }),
    ).toMatchObject({ status: 'ok' });
    // Carried by the first request after the step but maybe counted before it: which clock?
    expect(
      countInterval(clock, { counted_at: at('08:28:00.000'), received_at: at('08:30:00.100') }),
    ).toEqual({ earliest: null, latest: at('08:30:00.100'), status: 'clock_step' });
  });

  it('7. one request below the bounds, then back: three segments, none of them trusted alone', () => {
    // 08:30:00.100 shows −59.9 s: the clock was set forward a minute and back, or every earlier
    // request was slow. Either way the first segment's lower bound is also the second's.
    const clock = estimateDeviceClock([
      ...PHONE_7,
      sample('08:31:00.000', '08:30:00.100'),
      sample('08:35:00.000', '08:40:00.200'),
    ]);
    expect(clock.segments.map((s) => s.samples)).toEqual([3, 1, 1]);
    expect(
      countInterval(clock, { counted_at: at('08:12:00.000'), received_at: at('08:25:03.000') }),
    ).toEqual({ earliest: at('08:10:57.527'), latest: at('08:17:00.212'), status: 'ok' });
  });

  it('8. a phone that sent no samples: only "before the server got it" is known', () => {
    const line = { counted_at: at('08:12:00.000'), received_at: at('08:25:03.000') };
    expect(countInterval(null, line)).toEqual({
      earliest: null,
      latest: at('08:25:03.000'),
      status: 'unestimated',
    });
    expect(estimateClocks([]).size).toBe(0);
  });

  it('9. a count the model puts after its own arrival is inconsistent, not placed', () => {
    const clock = estimateDeviceClock(PHONE_7);
    const line = { counted_at: at('08:30:00.000'), received_at: at('08:25:03.000') };
    expect(countInterval(clock, line).status).toBe('clock_inconsistent');
  });

  it('10. set back a minute: one-way requests cannot tell it from slow ones, a two-way one can', () => {
    // r − c jumps from 300.150 to 360.2 s: the clock was set back a minute, or requests slowed.
    const after = [sample('08:24:00.000', '08:30:00.200'), sample('08:29:00.000', '08:35:00.150')];
    const line = { counted_at: at('08:26:00.000'), received_at: at('08:35:00.150') };
    const live = estimateDeviceClock([...PHONE_7, ...after]);
    expect(live.segments.map((s) => s.samples)).toEqual([3, 2]);
    // Set back: 08:32:00.150; slow requests on the old clock: 08:31:00.150. Both are in.
    expect(countInterval(live, line)).toEqual({
      earliest: at('08:30:57.620'),
      latest: at('08:32:00.241'),
      status: 'ok',
    });
    // More one-way requests at 360 s change nothing: a network can stay slow.
    const more = [sample('08:34:00.000', '08:40:00.100'), sample('08:39:00.000', '08:45:00.180')];
    expect(countInterval(estimateDeviceClock([...PHONE_7, ...after, ...more]), line)).toEqual({
      earliest: at('08:30:57.620'),
      latest: at('08:32:00.241'),
      status: 'ok',
    });
    // A round trip of 50 ms that still shows 360 s proves the step: back to a tight interval.
    const proof = {
      ...more[0]!,
      server_sent_at: at('08:40:00.120'),
      client_received_at: at('08:34:00.150'),
    };
    expect(countInterval(estimateDeviceClock([...PHONE_7, ...after, proof]), line)).toEqual({
      earliest: at('08:31:59.728'),
      latest: at('08:32:00.241'),
      status: 'ok',
    });
  });

  it('11. one request above the bounds: the lines it carried are not placed', () => {
    const clock = estimateDeviceClock([...PHONE_7, sample('08:24:00.000', '08:30:00.200')]);
    expect(clock.segments.map((s) => s.samples)).toEqual([3, 1]);
    expect(
      countInterval(clock, { counted_at: at('08:23:00.000'), received_at: at('08:30:00.200') }),
    ).toEqual({ earliest: null, latest: at('08:30:00.200'), status: 'clock_step' });
    // The next request back at 300 s: a slow request, or a clock set back and forward again.
    const settled = estimateDeviceClock([
      ...PHONE_7,
      sample('08:24:00.000', '08:30:00.200'),
      sample('08:30:00.000', '08:35:00.100'),
    ]);
    expect(settled.segments.map((s) => s.samples)).toEqual([3, 1, 1]);
    expect(
      countInterval(settled, { counted_at: at('08:23:00.000'), received_at: at('08:30:00.200') }),
    ).toMatchObject({ earliest: null, status: 'clock_step' });
  });

  it('12. set back, then two slow requests: each jump starts a segment', () => {
    // 360.2 s (set back a minute), then 375 s and 377 s (slow requests on the new clock).
    const clock = estimateDeviceClock([
      ...PHONE_7,
      sample('08:24:00.000', '08:30:00.200'),
      sample('08:29:00.000', '08:35:15.000'),
      sample('08:34:00.000', '08:40:17.000'),
    ]);
    expect(clock.segments.map((s) => [s.from, s.samples])).toEqual([
      [at('08:05:00.400'), 3],
      [at('08:30:00.200'), 1],
      [at('08:35:15.000'), 2],
    ]);
    expect(
      countInterval(clock, { counted_at: at('08:23:30.000'), received_at: at('08:30:00.200') }),
    ).toEqual({ earliest: null, latest: at('08:30:00.200'), status: 'clock_step' });
  });

  it('13. a stretch of nothing but slow requests takes its lower bound from the fast ones', () => {
    // A 25 s stall, then two requests 12.4 s and 13.4 s slow (below the stall: a segment of their
    // own), then fast again. The phone's clock never moved: 300.15 s all along.
    const clock = estimateDeviceClock([
      ...PHONE_7,
      sample('08:30:00.000', '08:35:25.150'),
      sample('08:36:00.000', '08:41:12.500'),
      sample('08:41:00.000', '08:46:13.500'),
      sample('08:44:00.000', '08:49:00.100'),
    ]);
    expect(clock.segments.map((s) => s.samples)).toEqual([3, 1, 2, 1]);
    // Counted at 08:40:40 on the phone: truly 08:45:40.150, inside the interval.
    expect(
      countInterval(clock, { counted_at: at('08:40:40.000'), received_at: at('08:46:13.500') }),
    ).toEqual({ earliest: at('08:45:37.180'), latest: at('08:45:52.642'), status: 'ok' });
  });

  it('samples in any order and repeated give the same clock; devices are kept apart', () => {
    const a = estimateDeviceClock(PHONE_7);
    const b = estimateDeviceClock([PHONE_7[2]!, PHONE_7[0]!, PHONE_7[1]!, PHONE_7[0]!]);
    expect(b.segments).toEqual(a.segments.map((s) => ({ ...s, samples: 4 })));
    const clocks = estimateClocks([
      ...PHONE_7.map((s) => ({ ...s, device_id: 'p7' })),
      { ...sample('08:00:00.000', '08:00:00.050'), device_id: 'p8' },
    ]);
    expect([...clocks.keys()].sort()).toEqual(['p7', 'p8']);
    expect(offsetAt(clocks.get('p8')!, at('08:00:00.050'))).toEqual({
      low_ms: -1_950,
      high_ms: 50,
    });
  });

  it('offsets in other ISO spellings parse like Z instants', () => {
    const clock = estimateDeviceClock([
      { client_sent_at: '2026-12-07T10:00:00+02:00', server_received_at: at('08:05:00.400') },
    ]);
    expect(offsetAt(clock, at('08:05:00.400')).high_ms).toBe(300_400);
  });
});

describe('device clock: bad input is refused with a code and the field', () => {
  it.each<[string, () => unknown, [string, string]]>([
    [
      'a sample without the server time',
      () => estimateDeviceClock([{ client_sent_at: at('08:00:00.000') } as ClockSample]),
      ['MOVEMENTS_BAD_INPUT', 'samples.0.server_received_at'],
    ],
    [
      'a sample time that is not an instant',
      () => estimateDeviceClock([PHONE_7[0]!, sample('08:00', '08:05:00.000')]),
      ['MOVEMENTS_BAD_INPUT', 'samples.1.client_sent_at'],
    ],
    [
      'half a two-way sample',
      () => estimateDeviceClock([{ ...PHONE_7[0]!, server_sent_at: at('08:05:00.500') }]),
      ['MOVEMENTS_BAD_INPUT', 'samples.0.client_received_at'],
    ],
    [
      'an answer before the request arrived',
      () =>
        estimateDeviceClock([
          {
            ...PHONE_7[0]!,
            server_sent_at: at('08:05:00.000'),
            client_received_at: at('08:00:01.000'),
          },
        ]),
      ['MOVEMENTS_BAD_INPUT', 'samples.0.server_sent_at'],
    ],
    [
      'an unknown field',
      () => estimateDeviceClock([{ ...PHONE_7[0]!, phone: 'x' } as ClockSample]),
      ['MOVEMENTS_BAD_INPUT', 'samples.0'],
    ],
    [
      'not an array',
      () => estimateDeviceClock('x' as unknown as ClockSample[]),
      ['MOVEMENTS_BAD_INPUT', 'samples'],
    ],
    [
      'a negative drift',
      () => estimateDeviceClock(PHONE_7, { driftPpm: -1 }),
      ['MOVEMENTS_BAD_OPTION', 'options.driftPpm'],
    ],
    [
      'a delay that is not a number',
      () => estimateDeviceClock(PHONE_7, { maxDelayMs: Number.NaN }),
      ['MOVEMENTS_BAD_OPTION', 'options.maxDelayMs'],
    ],
    [
      'a line without counted_at',
      () =>
        countInterval(estimateDeviceClock(PHONE_7), {
          received_at: at('08:25:03.000'),
        } as { counted_at: string; received_at: string }),
      ['MOVEMENTS_BAD_INPUT', 'line.counted_at'],
    ],
    [
      'a sample without a device',
      () => estimateClocks([{ ...PHONE_7[0]!, device_id: ' ' }]),
      ['MOVEMENTS_BAD_INPUT', 'samples.0.device_id'],
    ],
    [
      'an offset asked at a time that is not an instant',
      () => offsetAt(estimateDeviceClock(PHONE_7), 'noon'),
      ['MOVEMENTS_BAD_INPUT', 'at'],
    ],
  ])('%s', (_name, fn, expected) => {
    expect(refusal(fn)).toEqual(expected);
  });
});
