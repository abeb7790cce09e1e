import { Injectable, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { AppException, type FieldProblem } from './app.exception';

/** Parses with a zod schema; on failure a 400 naming every bad field. */
@Injectable()
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.output<S> {
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    const fields: FieldProblem[] = result.error.issues.map((i) => ({
      field: i.path.join('.') || '(body)',
      message: i.message,
    }));
    throw new AppException('validation_failed', `Invalid input: ${fields.map((f) => f.field).join(', ')}`, { fields });
  }
}
