/**
 * Requests in hand (lib/in-flight.ts): counted from the moment Express takes one until its answer
 * is finished or its connection is gone; a live-event stream never, however long it stays open.
 */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { requestsInFlight } from '../lib/in-flight';
import { inFlightMiddleware } from './in-flight';

let server: http.Server | null = null;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(null));
  server = null;
});

/** An app whose `/slow` answers when `release()` is called; `/api/events` never answers. */
async function start() {
  let release = () => {};
  const app = express();
  app.use(inFlightMiddleware((req) => req.path === '/api/events'));
  app.get('/slow', (_req, res) => {
    release = () => res.json({ ok: true });
  });
  app.get('/api/events', (_req, res) => {
    res.setHeader('Content-Type', 'text/event-stream');
    res.write(': open\n\n');
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server!.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, release: () => release() };
}

async function until(test: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!test()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('requests in flight', () => {
  it('counts a request while it is answered, and not once it is', async () => {
    const before = requestsInFlight.count();
    const { base, release } = await start();
    const answer = fetch(`${base}/slow`);
    await until(() => requestsInFlight.count() === before + 1);
    release();
    expect((await answer).status).toBe(200);
    await until(() => requestsInFlight.count() === before);
  });

  it('stops counting a request whose client went away', async () => {
    const before = requestsInFlight.count();
    const { base } = await start();
    const abort = new AbortController();
    const answer = fetch(`${base}/slow`, { signal: abort.signal }).catch(() => null);
    await until(() => requestsInFlight.count() === before + 1);
    abort.abort();
    await answer;
    await until(() => requestsInFlight.count() === before);
  });

  it('never counts a live-event stream', async () => {
    const before = requestsInFlight.count();
    const { base } = await start();
    const abort = new AbortController();
    const stream = await fetch(`${base}/api/events`, { signal: abort.signal });
    expect(stream.status).toBe(200);
    expect(requestsInFlight.count()).toBe(before);
    abort.abort();
  });

  it('ends each request once, however often its end is told', () => {
    const before = requestsInFlight.count();
    const leave = requestsInFlight.enter();
    leave();
    leave();
    expect(requestsInFlight.count()).toBe(before);
  });
});
