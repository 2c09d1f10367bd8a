import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { nonPublicAddressKind } from './private-address.js';

/** Why a metadata fetch failed, in words for the admin (settings object, audit, 502). */
export class MetadataFetchError extends Error {}

export interface MetadataFetchLimits {
  /** The whole fetch, redirects and body included. */
  timeoutMs: number;
  /** Largest body read (the certificate upload's limit). */
  maxBytes: number;
  /** Redirects followed; one more is refused. */
  maxRedirects: number;
}

export const METADATA_FETCH_LIMITS: Readonly<MetadataFetchLimits> = Object.freeze({ timeoutMs: 10_000, maxBytes: 1_048_576, maxRedirects: 3 });

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * GETs an IdP's metadata document, bounded: one deadline for everything, a body cap enforced
 * while reading (the connection is cut at the first byte over), at most three redirects, each
 * checked like the first URL, http(s) only (https only in production).
 *
 * In production, unless SAML_METADATA_ALLOW_PRIVATE, no connection is made to a loopback,
 * link-local, private or otherwise non-public address. The check runs on the address the
 * connection is actually made to: the agents resolve host names through `guardedLookup`, so a
 * name that resolved to a public address when the URL was saved and resolves to 10.0.0.1 now
 * (DNS rebinding) is refused at connect time, and IP literals (which skip the lookup) are checked
 * before connecting.
 */
@Injectable()
export class MetadataFetcher {
  /** The bounds; tests shorten the timeout on the instance. */
  readonly limits: MetadataFetchLimits = { ...METADATA_FETCH_LIMITS };
  private readonly refusePrivate: boolean;
  private readonly production: boolean;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(config: AppConfig) {
    this.refusePrivate = config.metadataPrivateAddressesRefused;
    this.production = config.isProduction;
    const lookup = this.refusePrivate ? guardedLookup : undefined;
    this.httpAgent = new http.Agent({ keepAlive: false, lookup } as http.AgentOptions);
    this.httpsAgent = new https.Agent({ keepAlive: false, lookup } as https.AgentOptions);
  }

  /** The document's text (UTF-8); throws MetadataFetchError saying why not. */
  async fetch(url: string): Promise<string> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.limits.timeoutMs);
    try {
      let current = new URL(url);
      for (let redirects = 0; ; redirects++) {
        this.checkTarget(current);
        const res = await this.get(current, controller.signal);
        if (REDIRECTS.has(res.statusCode ?? 0)) {
          res.destroy();
          const location = res.headers.location;
          if (!location) throw new MetadataFetchError(`${originOf(current)} answered HTTP ${res.statusCode} without a Location`);
          if (redirects >= this.limits.maxRedirects) throw new MetadataFetchError(`more than ${this.limits.maxRedirects} redirects (the last one from ${originOf(current)})`);
          try {
            current = new URL(location, current);
          } catch {
            throw new MetadataFetchError(`${originOf(current)} redirected to an invalid URL`);
          }
          continue;
        }
        if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) > 299) {
          res.destroy();
          throw new MetadataFetchError(`${originOf(current)} answered HTTP ${res.statusCode}`);
        }
        return await this.readBody(res, current);
      }
    } catch (err) {
      if (controller.signal.aborted) throw new MetadataFetchError(`no complete answer within ${this.limits.timeoutMs / 1000} s`);
      if (err instanceof MetadataFetchError) throw err;
      throw new MetadataFetchError(`could not fetch the metadata: ${networkReason(err)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  private checkTarget(url: URL): void {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new MetadataFetchError(`${url.protocol.replace(/:$/, '')} URLs are not fetched (http(s) only)`);
    if (this.production && url.protocol !== 'https:') throw new MetadataFetchError(`${originOf(url)} is not https, which production requires`);
    if (url.username || url.password) throw new MetadataFetchError('a URL with a user name or password is not fetched');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // An IP literal never goes through the lookup: judge it here.
    if (this.refusePrivate && isIP(host)) {
      const kind = nonPublicAddressKind(host);
      if (kind) throw new MetadataFetchError(refusal(host, host, kind));
    }
  }

  private get(url: URL, signal: AbortSignal): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const https_ = url.protocol === 'https:';
      const req = (https_ ? https : http).request(url, {
        method: 'GET',
        agent: https_ ? this.httpsAgent : this.httpAgent,
        signal,
        headers: {
          accept: 'application/samlmetadata+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1',
          // The cap counts the bytes as they arrive; a compressed body would hide its real size.
          'accept-encoding': 'identity',
          'user-agent': 'Latchkey SAML metadata refresh',
        },
      });
      req.once('response', resolve);
      req.once('error', reject);
      req.end();
    });
  }

  private readBody(res: IncomingMessage, url: URL): Promise<string> {
    const max = this.limits.maxBytes;
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) {
      res.destroy();
      return Promise.reject(new MetadataFetchError(`${originOf(url)} sent ${declared} bytes, over the ${max / 1_048_576} MiB limit`));
    }
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > max) {
          res.destroy();
          reject(new MetadataFetchError(`${originOf(url)} sent more than the ${max / 1_048_576} MiB limit`));
          return;
        }
        chunks.push(chunk);
      });
      res.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.once('error', reject);
      res.once('close', () => {
        if (!res.complete) reject(new MetadataFetchError(`${originOf(url)} closed the connection before the whole document arrived`));
      });
    });
  }
}

/** scheme://host[:port] of a URL: enough to say where, without a path that might carry a key. */
function originOf(url: URL): string {
  return url.origin;
}

/**
 * The refusal as the admin reads it. For a host name, which kind of address it resolves to but
 * not the address: a tenant's admin must not be able to map the deployment's internal DNS.
 */
function refusal(host: string, address: string, kind: string): string {
  const where = host === address ? `${address}, a ${kind} address` : `${host} resolves to a ${kind} address`;
  return `${where}: metadata is not fetched from non-public addresses in production (SAML_METADATA_ALLOW_PRIVATE)`;
}

function networkReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { cause?: unknown };
  if (e?.code === 'ENOTFOUND') return `the host name ${(e as { hostname?: string }).hostname ?? ''} does not resolve`.replace(/ {2}/, ' ');
  if (e?.code === 'ECONNREFUSED') return 'the connection was refused';
  if (e?.code === 'ECONNRESET') return 'the connection was reset';
  if (typeof e?.code === 'string' && /CERT|SSL|TLS/.test(e.code)) return `TLS: ${e.message}`.slice(0, 200);
  return String(e?.message ?? err).slice(0, 200);
}

/**
 * dns.lookup that fails when any address of the name is not public: the agents connect through
 * it, so the address checked is the address connected to.
 */
const guardedLookup = ((hostname: string, options: LookupOptions, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '');
    const list = addresses;
    for (const a of list) {
      const kind = nonPublicAddressKind(a.address);
      if (kind) return callback(new MetadataFetchError(refusal(hostname, a.address, kind)), '');
    }
    if (list.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND', hostname }), '');
    if (options.all) return callback(null, list);
    return callback(null, list[0]!.address, list[0]!.family);
  });
}) as unknown as LookupFunction;
