/** The console's only way to the data: the tenant's JSON API, with the session cookie and CSRF token. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: Record<string, unknown> = {},
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export class Api {
  csrfToken: string | null = null;
  /** Called when a request answers 401 (the session ended): the page sends the person to sign in. */
  onUnauthenticated: (() => void) | null = null;

  constructor(readonly tenant: string) {}

  get<T>(path: string, query?: Record<string, string | number | undefined>): Promise<T> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') params.set(k, String(v));
    const qs = params.toString();
    return this.request<T>('GET', qs ? `${path}?${qs}` : path);
  }
  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }
  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }
  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body);
  }

  async request<T>(method: Method, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    let payload: BodyInit | undefined;
    if (body instanceof FormData) {
      payload = body; // the browser sets the multipart boundary
    } else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    if (method !== 'GET' && this.csrfToken) headers['x-csrf-token'] = this.csrfToken;

    let res: Response;
    try {
      res = await fetch(`/api/t/${encodeURIComponent(this.tenant)}/${path}`, { method, headers, body: payload, credentials: 'same-origin' });
    } catch {
      throw new ApiError(0, 'network', 'Could not reach Latchkey. Check your connection and try again.');
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null; // not JSON (a proxy's error page): the status speaks for it
    }
    if (!res.ok) {
      const err = (json && typeof json === 'object' ? json : {}) as Record<string, unknown>;
      const code = typeof err.error === 'string' ? err.error : `http_${res.status}`;
      const message = typeof err.message === 'string' ? err.message : describeStatus(res.status);
      const retry = Number(res.headers.get('retry-after') ?? err.retryAfter);
      const apiError = new ApiError(res.status, code, message, err, Number.isFinite(retry) && retry > 0 ? retry : null);
      if (res.status === 401 && this.onUnauthenticated) this.onUnauthenticated();
      throw apiError;
    }
    return json as T;
  }
}

function describeStatus(status: number): string {
  if (status === 404) return 'This feature is not available on this server yet.';
  if (status >= 500) return 'Latchkey ran into a problem. Try again in a moment.';
  return `The request failed (HTTP ${status}).`;
}

/** The message to show a person for any failure. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return 'Something went wrong. Reload the page and try again.';
}

/** The tenant slug of the page's URL: /t/{tenant}/… */
export function tenantFromLocation(): string {
  const match = /^\/t\/([a-z0-9-]+)(?:\/|$)/.exec(location.pathname);
  return match?.[1] ?? '';
}
