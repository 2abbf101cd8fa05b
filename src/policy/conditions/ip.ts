/**
 * IpAddress / NotIpAddress: IPv4 or IPv6 CIDR blocks (a bare address is /32 or
 * /128). A request value that is not an address never matches. No variables.
 */
import { inBlock, parseCidr, parseIpAddress, type IpBlock } from '../ip.js';
import { pair } from './operator.js';

export const [IpAddress, NotIpAddress] = pair<IpBlock>('IpAddress', 'NotIpAddress', {
  variables: false,
  compile(raw) {
    return parseCidr(raw) ?? { error: `"${raw}" is not an IP address or CIDR block` };
  },
  test(request, block, ctx) {
    const addr = ctx.memo(request, parseIpAddress);
    return addr !== undefined && inBlock(addr, block);
  },
});
