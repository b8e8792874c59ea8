/**
 * Parsing of query-string parameters into typed values; every malformed parameter is a 400
 * naming the parameter, collected so one response lists them all.
 */
import type { Request } from 'express';
import { HttpError } from '../errors.ts';
import { checkTimestamp } from '../timestamp.ts';

/** QueryReader reads parameters and collects problems; finish() throws if there were any. */
export class QueryReader {
  private readonly problems: Array<{ parameter: string; reason: string }> = [];
  /** query is read once: Express 5 parses the query string on every access to req.query. */
  private readonly query: Request['query'];
  constructor(req: Request, allowed: string[]) {
    this.query = req.query;
    for (const name of Object.keys(this.query)) {
      if (!allowed.includes(name))
        this.problems.push({ parameter: name, reason: 'is not a known parameter' });
    }
  }

  /** string returns the single value of a parameter, or undefined when absent or empty. */
  string(name: string, maxLength = 256): string | undefined {
    const value = this.query[name];
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string') {
      this.problems.push({ parameter: name, reason: 'must be given once' });
      return undefined;
    }
    if (value.length > maxLength) {
      this.problems.push({ parameter: name, reason: `must be at most ${maxLength} characters` });
      return undefined;
    }
    if (value.includes('\u0000') || /\p{Cs}/u.test(value)) {
      this.problems.push({ parameter: name, reason: 'contains invalid characters' });
      return undefined;
    }
    return value;
  }

  /** oneOf returns a value from a fixed list. */
  oneOf<T extends string>(name: string, values: readonly T[]): T | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (!(values as readonly string[]).includes(value)) {
      this.problems.push({ parameter: name, reason: `must be one of ${values.join(', ')}` });
      return undefined;
    }
    return value as T;
  }

  /**
   * timestamp returns an RFC 3339 date-time as given (PostgreSQL keeps its precision) with its
   * instant, checked as event timestamps are (timestamp.ts).
   */
  timestamp(name: string): { text: string; millis: number } | undefined {
    const value = this.string(name, 40);
    if (value === undefined) return undefined;
    const checked = checkTimestamp(value);
    if ('reason' in checked) {
      this.problems.push({ parameter: name, reason: checked.reason });
      return undefined;
    }
    return { text: value, millis: checked.millis };
  }

  /** integer returns a whole number within bounds. */
  integer(name: string, min: number, max: number): number | undefined {
    const value = this.string(name, 10);
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || parsed < min || parsed > max) {
      this.problems.push({ parameter: name, reason: `must be an integer from ${min} to ${max}` });
      return undefined;
    }
    return parsed;
  }

  /** hex returns lowercase hex digits of an exact length (trace and span ids). */
  hex(name: string, digits: number): string | undefined {
    const value = this.string(name, digits);
    if (value === undefined) return undefined;
    if (value.length !== digits || !/^[0-9a-fA-F]+$/.test(value)) {
      this.problems.push({ parameter: name, reason: `must be ${digits} hex digits` });
      return undefined;
    }
    return value.toLowerCase();
  }

  /** problem records a check made by the caller. */
  problem(parameter: string, reason: string): void {
    this.problems.push({ parameter, reason });
  }

  /** finish throws a 400 listing every problem found. */
  finish(): void {
    if (this.problems.length > 0) {
      throw new HttpError(400, 'invalid_query', 'the query parameters are invalid', {
        details: this.problems,
      });
    }
  }
}
