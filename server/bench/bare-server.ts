/** The baseline of the lookup benchmark: a bare node:http server answering a fixed JSON body. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const body = JSON.stringify({
  success: true,
  data: {
    item: { item_code: 'ITM-000001', name: 'Fixed Body Item', uom: 'PCS', price: 10, cost: 6 },
  },
  error: null,
  message: 'OK',
  request_id: '00000000-0000-0000-0000-000000000000',
});
const server = http.createServer((_req, res) => {
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: (server.address() as AddressInfo).port }) + '\n');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
