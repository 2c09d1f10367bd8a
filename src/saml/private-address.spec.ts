import { describe, expect, it } from '@jest/globals';
import { nonPublicAddressKind } from './private-address.js';

describe('nonPublicAddressKind', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private (RFC 1918)'],
    ['172.16.0.1', 'private (RFC 1918)'],
    ['172.31.255.255', 'private (RFC 1918)'],
    ['192.168.1.1', 'private (RFC 1918)'],
    ['100.64.0.1', 'shared (carrier-grade NAT, RFC 6598)'],
    ['100.127.255.254', 'shared (carrier-grade NAT, RFC 6598)'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['0.0.0.0', '"this network"'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fe80::1%eth0', 'link-local'],
    ['fd12:3456::1', 'unique local (private)'],
    ['fc00::1', 'unique local (private)'],
    ['::ffff:127.0.0.1', 'loopback, IPv4 inside IPv6'],
    ['::ffff:7f00:1', 'loopback, IPv4 inside IPv6'],
    ['::ffff:a9fe:a9fe', 'link-local (cloud metadata), IPv4 inside IPv6'],
    ['::ffff:10.0.0.1', 'private (RFC 1918), IPv4 inside IPv6'],
    ['64:ff9b::10.0.0.1', 'private (RFC 1918), IPv4 inside IPv6'],
    ['::10.0.0.1', 'private (RFC 1918), IPv4 inside IPv6'],
    ['localhost', 'not an IP address'],
  ])('refuses %s (%s)', (address, kind) => {
    expect(nonPublicAddressKind(address)).toBe(kind);
  });

  it.each(['8.8.8.8', '172.32.0.1', '100.128.0.1', '169.255.0.1', '192.169.0.1', '2606:4700::6810:84e5', '::ffff:8.8.8.8', '64:ff9b::8.8.8.8', '2001:db8::1'])(
    'lets the public address %s through',
    (address) => {
      expect(nonPublicAddressKind(address)).toBeNull();
    },
  );
});
