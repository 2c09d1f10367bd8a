import { registerDecorator, type ValidationOptions } from 'class-validator';
import { isEmailAddress } from './email.js';

export function IsEmailAddress(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isEmailAddress',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'must be an email address', ...options },
      validator: { validate: (value: unknown) => isEmailAddress(value) },
    });
}
