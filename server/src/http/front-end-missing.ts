/**
 * When the server runs without a built front end (main.ts started directly, tests), `/` or
 * `/console/` answers a short page that says so and how to build it, instead of a bare
 * "Cannot GET /" (issue #11).
 */
import type { Request, Response } from 'express';

const escape = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** A GET handler answering 503 with a plain page naming the missing build. */
export function frontEndMissing(label: string, dist: string) {
  const text =
    `${label} is not built, so this server has nothing to show here (the API at /api works). ` +
    `Build it with \`npm run build\` and restart, or start the server with \`npm start\`, which ` +
    `builds what is missing first. Expected: ${dist}`;
  const html =
    '<!doctype html><html lang="en"><meta charset="utf-8"><title>Stock Verify: not built</title>' +
    `<body style="font-family:sans-serif;max-width:40em;margin:2em auto"><h1>Stock Verify</h1>` +
    `<p>${escape(text)}</p></body></html>\n`;
  return (req: Request, res: Response) => {
    res.status(503).setHeader('Cache-Control', 'no-store');
    if (req.accepts(['html', 'text']) === 'html') res.type('html').send(html);
    else res.type('text').send(`${text}\n`);
  };
}
