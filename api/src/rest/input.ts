/**
 * Reading a REST request: the body (at most MAX_BODY_BYTES, JSON), the query string, and
 * their check against the request's zod schema, with messages that name the field.
 */
import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { badInput } from '../core/errors.ts';
import { HttpError } from './envelope.ts';

export const MAX_BODY_BYTES = 1024 * 1024;
/** A client still sending past this many bytes after its 413 is cut off. */
const MAX_DRAINED_BYTES = 16 * MAX_BODY_BYTES;

const tooLarge = () => new HttpError(413, `request body too large: the limit is ${MAX_BODY_BYTES} bytes (1 MiB)`, { connection: 'close' });

/**
 * The body as text. Past the limit the rest is read and dropped (so the client, still
 * sending, gets to read the 413) up to a bound, after which the connection is cut.
 */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    let received = 0;
    const chunks: Buffer[] = [];
    const refuse = () => {
      req.removeListener('data', collect);
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > MAX_DRAINED_BYTES) req.destroy();
      });
      reject(tooLarge());
    };
    const collect = (chunk: Buffer) => {
      received += chunk.length;
      if (received > MAX_BODY_BYTES) return refuse();
      chunks.push(chunk);
    };
    if (declared > MAX_BODY_BYTES) {
      req.resume();
      return refuse();
    }
    req.on('data', collect);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** An empty body stands for `{}`: the request's own rules then say what is missing. */
export function parseJson(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw badInput(`request body is not valid JSON: ${(error as Error).message}`, 'body');
  }
}

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

type Where = 'body' | 'query';

function describeIssue(issue: z.core.$ZodIssue, where: Where): string {
  const path = issue.path.map(String).join('.');
  const name = path || (where === 'body' ? 'request body' : 'query string');
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `${name} is required`;
      // JSON can spell numbers too large for a double (1e400): they arrive as Infinity.
      if (issue.expected === 'number' && typeof issue.input === 'number') return `${name} must be a finite number`;
      return `${name} must be ${article(issue.expected === 'object' && !path ? 'JSON object' : issue.expected)}, not ${article(typeOf(issue.input))}`;
    case 'unrecognized_keys': {
      const keys = issue.keys.map((key) => (path ? `${path}.${key}` : key));
      const what = where === 'body' ? 'field' : 'query parameter';
      return `unknown ${what}${keys.length > 1 ? 's' : ''} ${keys.join(', ')}`;
    }
    case 'invalid_value':
      return `${name} must be one of ${issue.values.map(String).join(', ')}`;
    default:
      // Custom messages (the integer pattern of query parameters) already name the field.
      return issue.message.startsWith(name) ? issue.message : `${name}: ${issue.message}`;
  }
}

/** The value checked against `schema`, or a 400 naming every problem. */
export function check<S extends z.ZodType>(schema: S, value: unknown, where: Where): z.output<S> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  const first = result.error.issues[0];
  const field = first?.path.map(String).join('.') || where;
  throw badInput(result.error.issues.map((issue) => describeIssue(issue, where)).join('; '), field);
}

/**
 * The query string as an object. A parameter given twice is refused; an empty one counts
 * as not given (forms send `device_code=` for a filter left blank), though its name is
 * still checked.
 */
export function queryObject(search: URLSearchParams): Record<string, string | undefined> {
  const query: Record<string, string | undefined> = {};
  for (const key of new Set(search.keys())) {
    const values = search.getAll(key).filter((value) => value !== '');
    if (values.length > 1) throw badInput(`query parameter ${key} is given more than once`, key);
    query[key] = values[0];
  }
  return query;
}
