import request from 'supertest';
import type { TestApp } from '../utils/test-app.js';

export interface UserJson {
  id: string;
  email: string;
  givenName: string;
  familyName: string;
  active: boolean;
  role: 'system_admin' | 'user';
  licenses: string[];
  source: 'manual' | 'scim';
  createdAt: string;
  updatedAt: string;
  lastLoginAt: string | null;
  scimRemoved: boolean;
}

/** A signed-in browser: the session cookie plus the CSRF token, sent on every request. */
export class Session {
  constructor(
    private readonly t: TestApp,
    readonly slug: string,
    readonly cookie: string,
    readonly csrfToken: string,
    readonly user: UserJson,
  ) {}

  get(path: string) {
    return request(this.t.http).get(this.url(path)).set('cookie', this.cookie);
  }
  post(path: string, body?: object) {
    return request(this.t.http).post(this.url(path)).set('cookie', this.cookie).set('x-csrf-token', this.csrfToken).send(body);
  }
  patch(path: string, body: object) {
    return request(this.t.http).patch(this.url(path)).set('cookie', this.cookie).set('x-csrf-token', this.csrfToken).send(body);
  }
  put(path: string, body: object) {
    return request(this.t.http).put(this.url(path)).set('cookie', this.cookie).set('x-csrf-token', this.csrfToken).send(body);
  }

  /** Paths are relative to /api/t/{tenant}; absolute ones (starting with /) are used as they are. */
  private url(path: string): string {
    return path.startsWith('/') ? path : `/api/t/${this.slug}/${path}`;
  }
}

export function login(t: TestApp, slug: string, email: string, password: string) {
  return request(t.http).post(`/api/t/${slug}/auth/login`).send({ email, password });
}

export async function signIn(t: TestApp, slug: string, email: string, password: string): Promise<Session> {
  const res = await login(t, slug, email, password);
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.body)}`);
  const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const cookie = setCookie.map((c) => c.split(';')[0]).join('; ');
  const body = res.body as { user: UserJson; csrfToken: string };
  return new Session(t, slug, cookie, body.csrfToken, body.user);
}

/** Creates a user as the given admin and returns it. */
export async function createUser(admin: Session, body: { email: string; givenName?: string; familyName?: string; role?: string; password?: string }): Promise<UserJson> {
  const res = await admin.post('users', { givenName: 'Test', familyName: 'User', ...body });
  if (res.status !== 201) throw new Error(`user creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as UserJson;
}
