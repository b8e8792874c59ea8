/**
 * IPv4 CIDR arithmetic for the network rules: parsing, containment and overlap.
 */

/** Ipv4Block is a parsed CIDR: the first address as an unsigned 32-bit number and the prefix length. */
export interface Ipv4Block {
  base: number;
  prefix: number;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** parseCidr parses `a.b.c.d/n`; undefined when it is not a valid IPv4 CIDR. Host bits are kept. */
export function parseCidr(text: unknown): Ipv4Block | undefined {
  if (typeof text !== 'string') return undefined;
  const match = CIDR.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((octet) => octet > 255) || prefix > 32) return undefined;
  const base = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  return { base, prefix };
}

function size(block: Ipv4Block): number {
  return 2 ** (32 - block.prefix);
}

/** networkAddress is the block with its host bits cleared. */
export function networkAddress(block: Ipv4Block): Ipv4Block {
  const blockSize = size(block);
  return { base: Math.floor(block.base / blockSize) * blockSize, prefix: block.prefix };
}

/** hasHostBits reports whether the address has bits set beyond the prefix (10.0.0.1/16). */
export function hasHostBits(block: Ipv4Block): boolean {
  return networkAddress(block).base !== block.base;
}

/** formatCidr renders a block as `a.b.c.d/n`. */
export function formatCidr(block: Ipv4Block): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(block.base / 2 ** shift) % 256);
  return `${octets.join('.')}/${block.prefix}`;
}

/** contains reports whether inner lies entirely inside outer. */
export function contains(outer: Ipv4Block, inner: Ipv4Block): boolean {
  const outerNetwork = networkAddress(outer);
  const innerNetwork = networkAddress(inner);
  return (
    inner.prefix >= outer.prefix &&
    innerNetwork.base >= outerNetwork.base &&
    innerNetwork.base + size(inner) <= outerNetwork.base + size(outer)
  );
}

/** overlaps reports whether two blocks share at least one address. */
export function overlaps(a: Ipv4Block, b: Ipv4Block): boolean {
  const first = networkAddress(a);
  const second = networkAddress(b);
  return first.base < second.base + size(b) && second.base < first.base + size(a);
}
