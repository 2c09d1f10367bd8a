import { describe, expect, it } from '@jest/globals';
import { IsString } from 'class-validator';
import { createValidationPipe } from './validation-pipe.js';

class LoginLike {
  @IsString()
  email!: string;

  @IsString()
  password!: string;
}

/** A value that records whether anything looked inside it. */
function watched(): { value: object; touched: () => boolean } {
  let touched = false;
  const value = new Proxy([[1], [2]], {
    get(target, key, receiver) {
      touched = true;
      return Reflect.get(target, key, receiver) as unknown;
    },
    ownKeys(target) {
      touched = true;
      return Reflect.ownKeys(target);
    },
  });
  return { value, touched: () => touched };
}

describe('validation pipe', () => {
  const pipe = createValidationPipe();
  const body = { type: 'body' as const, metatype: LoginLike, data: '' };

  it('never looks into an undeclared key (its cost must not grow with what the client adds)', async () => {
    const junk = watched();
    const dto = (await pipe.transform({ email: 'a@b.test', password: 'x', junk: junk.value }, body)) as Record<string, unknown>;
    expect(dto).toEqual({ email: 'a@b.test', password: 'x' });
    expect(dto).toBeInstanceOf(LoginLike);
    expect(junk.touched()).toBe(false);
  });

  it('refuses a structure where a string is declared without walking it', async () => {
    const nested = watched();
    await expect(pipe.transform({ email: nested.value, password: 'x' }, body)).rejects.toMatchObject({
      code: 'validation_failed',
      message: 'email must be a string',
      details: { field: 'email' },
    });
    expect(nested.touched()).toBe(false);
  });
});
