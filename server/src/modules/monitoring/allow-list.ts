/** The networks allowed to scrape `/metrics` without a token (api.md: loopback by default). */
import net from 'node:net';

export const DEFAULT_METRICS_NETWORKS: readonly string[] = ['127.0.0.1', '::1', '::ffff:127.0.0.1'];

/**
 * Builds a check for addresses or CIDR blocks (`10.0.0.0/8`, `fd00::/8`). IPv4-mapped IPv6
 * addresses (`::ffff:10.1.2.3`, as a dual-stack socket reports IPv4 clients) are checked as IPv4.
 * Throws on an entry that is neither, so a typo in the configuration stops the start.
 */
export function createAllowList(
  entries: readonly string[],
): (address: string | undefined) => boolean {
  const list = new net.BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.trim().split('/');
    const family = net.isIP(address);
    if (family === 0) throw new Error(`metrics allow-list: not an address or CIDR: ${entry}`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) {
      list.addAddress(address, type);
      continue;
    }
    const bits = Number(prefix);
    if (!Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)) {
      throw new Error(`metrics allow-list: bad prefix length: ${entry}`);
    }
    list.addSubnet(address, bits, type);
  }
  return (address) => {
    if (!address) return false;
    const family = net.isIP(address);
    if (family === 0) return false;
    if (family === 4) return list.check(address, 'ipv4');
    if (list.check(address, 'ipv6')) return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    return mapped !== undefined && list.check(mapped, 'ipv4');
  };
}
