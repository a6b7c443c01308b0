import type { Schema } from '../openapi';
import { JsonEntries, JsonLike, RawJson, nested, toJsonText } from './bodies';
import type { Draft, FuzzTarget } from './generator';
import { HOSTILE_TEXT, RAW_ENCODED, hostileJson, hostileText } from './hostile';
import { rawRequest } from './raw-requests';
import type { Random } from './random';
import { oddAuthorization } from './tokens';
import { CHANGE_METHOD, CONTENT_TYPES, EXTRA_FORM, EXTRA_JSON, IDEMPOTENCY_KEYS, MALFORMED, ODD_HEADERS, RAW_PATH_VALUES, typedValue } from './request-parts';

/** One way of making a request hostile: where it applies, how often it is drawn, what it does. */
export interface Mutation {
  name: string;
  weight: number;
  applies(draft: Draft): boolean;
  /** Changes the draft and answers which hostile value it used. */
  apply(draft: Draft, rng: Random, target: FuzzTarget): string;
}

const isJsonObject = (d: Draft): d is Draft & { body: { kind: 'json'; value: Record<string, JsonLike> } } =>
  d.body?.kind === 'json' &&
  d.body.value !== null &&
  typeof d.body.value === 'object' &&
  !Array.isArray(d.body.value) &&
  !(d.body.value instanceof RawJson) &&
  !(d.body.value instanceof JsonEntries);
const hasFields = (d: Draft) => isJsonObject(d) || d.body?.kind === 'form' || d.body?.kind === 'multipart';

/** The names a body holds or its schema documents (files included). */
function fieldNames(d: Draft): string[] {
  const own = isJsonObject(d)
    ? Object.keys(d.body.value)
    : d.body?.kind === 'form'
      ? d.body.pairs.map((p) => p.name)
      : d.body?.kind === 'multipart'
        ? d.body.parts.map((p) => p.name)
        : [];
  return [...new Set([...own, ...Object.keys(d.fields)])];
}

function setField(d: Draft, name: string, value: JsonLike, raw = false): void {
  if (isJsonObject(d)) d.body.value[name] = value;
  else if (d.body?.kind === 'form') {
    d.body.pairs = d.body.pairs.filter((p) => p.name !== name);
    d.body.pairs.push({ name, value: typeof value === 'string' ? value : toJsonText(value), raw });
  } else if (d.body?.kind === 'multipart') {
    const file = d.body.parts.find((p) => p.name === name && p.filename !== undefined);
    d.body.parts = d.body.parts.filter((p) => p.name !== name);
    d.body.parts.push({ ...(file ?? {}), name, data: typeof value === 'string' ? value : toJsonText(value) });
  }
}

function queryNames(d: Draft): string[] {
  return (d.op.operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
}

function querySchema(d: Draft, name: string): Schema | undefined {
  return d.op.operation.parameters?.find((p) => p.in === 'query' && p.name === name)?.schema;
}

export const MUTATIONS: Mutation[] = [
  {
    name: 'body.field',
    weight: 20,
    applies: hasFields,
    apply(d, rng, target) {
      const name = rng.pick(fieldNames(d));
      const schema = d.fields[name];
      if (schema?.format === 'binary' && d.body?.kind === 'multipart') return fileMutation(d, name, rng, target);
      const json = isJsonObject(d);
      const special = target.hostile?.(d.op, name, 'body', d.role, rng);
      if (special) {
        setField(d, name, special.value);
        return special.kind;
      }
      if (!json && d.body?.kind === 'form' && rng.chance(0.2)) {
        const value = rng.pick(RAW_ENCODED);
        setField(d, name, value, true);
        return 'rawEncoded';
      }
      const { kind, value } = rng.chance(0.5) ? typedValue(name, schema, json, rng) : json ? hostileJson(rng) : hostileText(rng);
      setField(d, name, value);
      return kind;
    },
  },
  {
    name: 'body.drop',
    weight: 4,
    applies: hasFields,
    apply(d, rng) {
      const name = rng.pick(fieldNames(d));
      if (isJsonObject(d)) delete d.body.value[name];
      else if (d.body?.kind === 'form') d.body.pairs = d.body.pairs.filter((p) => p.name !== name);
      else if (d.body?.kind === 'multipart') d.body.parts = d.body.parts.filter((p) => p.name !== name);
      return name;
    },
  },
  {
    name: 'body.extra',
    weight: 6,
    applies: hasFields,
    apply(d, rng) {
      if (isJsonObject(d)) {
        const [key, value] = rng.pick(EXTRA_JSON);
        d.body.value = new JsonEntries([...Object.entries(d.body.value), [key, value]]) as unknown as Record<string, JsonLike>;
        return key || 'emptyKey';
      }
      if (d.body?.kind === 'form') {
        const pair = rng.pick(EXTRA_FORM);
        const [name, value] = pair.split('=');
        d.body.pairs.push({ name, value, raw: true });
        return name || 'emptyName';
      }
      const name = rng.pick(['__proto__', 'not_a_field', 'file', 'profile', '']);
      (d.body as { parts: Array<{ name: string; data: string }> }).parts.push({ name, data: 'x' });
      return name || 'emptyName';
    },
  },
  {
    name: 'body.duplicate',
    weight: 4,
    applies: hasFields,
    apply(d, rng, target) {
      const name = rng.pick(fieldNames(d));
      if (isJsonObject(d)) {
        const other = rng.chance(0.5) ? hostileJson(rng).value : (target.meaningful(d.op, name, 'body', 'admin', rng) ?? 'second');
        d.body.value = new JsonEntries([...Object.entries(d.body.value), [name, other]]) as unknown as Record<string, JsonLike>;
      } else if (d.body?.kind === 'form') d.body.pairs.push({ name, value: rng.pick(['second', 'admin', '', '1']) });
      else if (d.body?.kind === 'multipart') {
        const part = d.body.parts.find((p) => p.name === name) ?? { name, data: 'second' };
        d.body.parts.push({ ...part });
      }
      return name;
    },
  },
  {
    name: 'body.array',
    weight: 4,
    applies: hasFields,
    apply(d, rng) {
      const name = rng.pick(fieldNames(d));
      if (isJsonObject(d)) {
        const value = d.body.value[name] ?? 'x';
        d.body.value[name] = rng.pick<JsonLike>([[value], [value, value], [[value]], [], [null]]);
      } else if (d.body?.kind === 'form') {
        const value = d.body.pairs.find((p) => p.name === name)?.value ?? 'x';
        d.body.pairs = d.body.pairs.filter((p) => p.name !== name);
        const form = rng.pick(['[]', '[0]', '[a]', '[__proto__]', '']);
        d.body.pairs.push({ name: `${name}${form}`, value }, ...(form === '' ? [{ name, value }] : []));
      } else return 'multipartHasNoArrays';
      return name;
    },
  },
  {
    name: 'body.whole',
    weight: 6,
    applies: (d) => d.body !== undefined,
    apply(d, rng) {
      const wholes: Record<string, () => JsonLike> = {
        emptyArray: () => [],
        arrayOfObject: () => [{}],
        text: () => 'text',
        number: () => 123,
        null: () => null,
        true: () => true,
        depth17: () => nested(17, 'object'),
        depth100: () => nested(100, 'array'),
        depth5000: () => nested(5_000, 'object'),
        depth100k: () => nested(100_000, 'array'),
        manyKeys: () => Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i])),
        nearLimitString: () => ({ username: 'u'.repeat(900_000) }),
        pastLimitString: () => ({ username: 'u'.repeat(1_200_000) }),
        // An array body is read as an object keyed "0", "1", …, each key an unknown field: 100,000
        // of them once held the event loop for seconds and answered 7 MB, until the body hook
        // bounded how many values a body holds.
        wideArray: () => new RawJson(`[${'{},'.repeat(100_000)}{}]`),
        protoOnly: () => new RawJson('{"__proto__":{"polluted":true}}'),
        constructorPrototype: () => new RawJson('{"constructor":{"prototype":{"polluted":true}}}'),
      };
      const kind = rng.pick(Object.keys(wholes));
      const keepType = d.body?.kind === 'json' ? undefined : 'application/json';
      d.body = { kind: 'json', value: wholes[kind]() };
      if (keepType && rng.chance(0.5)) d.contentType = keepType;
      return kind;
    },
  },
  {
    name: 'body.malformed',
    weight: 7,
    applies: (d) => d.body !== undefined,
    apply(d, rng) {
      const kind = d.body!.kind === 'bytes' ? 'json' : d.body!.kind;
      const contentType =
        d.contentType === undefined ? (kind === 'json' ? 'application/json' : kind === 'form' ? 'application/x-www-form-urlencoded' : null) : d.contentType;
      if (d.body!.kind === 'multipart' && rng.chance(0.6)) {
        const choice = rng.pick(['unterminated', 'bareLf', 'noParts', 'wrongBoundary', 'manyFiles', 'noFilename', 'nameless']);
        const body = d.body as Extract<Draft['body'], { kind: 'multipart' }>;
        if (choice === 'unterminated') body.options.unterminated = true;
        if (choice === 'bareLf') body.options.bareLf = true;
        if (choice === 'noParts') body.parts = [];
        if (choice === 'wrongBoundary') d.contentType = 'multipart/form-data; boundary=another';
        if (choice === 'manyFiles')
          body.parts = [...body.parts, ...Array.from({ length: 20 }, () => ({ name: 'file', filename: 'x.csv', data: 'DOC_IDT\n1\n' }))];
        if (choice === 'noFilename') body.parts = body.parts.map((p) => ({ ...p, filename: undefined }));
        if (choice === 'nameless') body.parts = body.parts.map((p) => ({ ...p, name: '' }));
        return choice;
      }
      const bytes = rng.pick(MALFORMED[kind]);
      d.body = { kind: 'bytes', bytes: Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'utf8') };
      d.contentType = contentType ?? 'multipart/form-data; boundary=x';
      return `${kind}:${MALFORMED[kind].indexOf(bytes)}`;
    },
  },
  {
    name: 'contentType',
    weight: 6,
    applies: () => true,
    apply(d, rng) {
      const type = rng.pick(CONTENT_TYPES);
      d.contentType = type;
      return type === null ? 'none' : type.slice(0, 40) || 'empty';
    },
  },
  {
    name: 'query.value',
    weight: 10,
    applies: (d) => queryNames(d).length > 0,
    apply(d, rng, target) {
      const name = rng.pick(queryNames(d));
      d.query = d.query.filter((p) => p.name !== name);
      const special = target.hostile?.(d.op, name, 'query', d.role, rng);
      if (special) {
        d.query.push({ name, value: String(special.value) });
        return special.kind;
      }
      const roll = rng.int(3);
      if (roll === 0) {
        d.query.push({ name, value: rng.pick(RAW_ENCODED), raw: true });
        return 'rawEncoded';
      }
      const { kind, value } = roll === 1 ? typedValue(name, querySchema(d, name), false, rng) : hostileText(rng);
      d.query.push({ name, value: String(value) });
      return kind;
    },
  },
  {
    name: 'query.pagination',
    weight: 5,
    applies: (d) => queryNames(d).some((n) => n === 'skip' || n === 'limit'),
    apply(d, rng) {
      const name = rng.pick(queryNames(d).filter((n) => n === 'skip' || n === 'limit'));
      const value = rng.pick([
        '-1',
        '0',
        '1e30',
        '18446744073709551616',
        '9007199254740993',
        '2147483648',
        '-2147483649',
        '1.5',
        '',
        ' ',
        '1e3',
        '0x10',
        '-0',
        '１０',
        '10abc',
        '1000000',
        '1001',
        String(Number.MAX_SAFE_INTEGER),
      ]);
      d.query = d.query.filter((p) => p.name !== name);
      d.query.push({ name, value });
      return `${name}=${value}`;
    },
  },
  {
    name: 'query.duplicate',
    weight: 4,
    applies: (d) => queryNames(d).length > 0,
    apply(d, rng, target) {
      const name = rng.pick(queryNames(d));
      const first = d.query.find((p) => p.name === name)?.value ?? target.meaningful(d.op, name, 'query', d.role, rng) ?? '1';
      d.query.push({ name, value: first }, { name, value: rng.pick(['2', first, '', 'desc', 'x']) });
      return name;
    },
  },
  {
    name: 'query.array',
    weight: 3,
    applies: (d) => queryNames(d).length > 0,
    apply(d, rng) {
      const name = rng.pick(queryNames(d));
      const form = rng.pick(['[]', '[0]', '[a]', '[__proto__]', '[][]', '.a']);
      d.query.push({ name: `${name}${form}`, value: '1', raw: true });
      return form;
    },
  },
  {
    name: 'query.extra',
    weight: 4,
    applies: () => true,
    apply(d, rng) {
      const extras: Record<string, () => void> = {
        unknown: () => d.query.push({ name: 'not_a_parameter', value: 'x' }),
        proto: () => d.query.push({ name: '__proto__', value: 'x' }),
        protoNested: () => d.query.push({ name: 'constructor[prototype][polluted]', value: '1', raw: true }),
        many: () => d.query.push(...Array.from({ length: 300 }, (_, i) => ({ name: `p${i}`, value: String(i) }))),
        long: () => d.query.push({ name: 'q', value: 'a'.repeat(12_000) }),
        emptyName: () => d.query.push({ name: '', value: '1', raw: true }),
        bare: () => d.query.push({ name: 'skip', value: '', raw: true }),
        ampersands: () => d.query.push({ name: '&&', value: '&', raw: true }),
      };
      const kind = rng.pick(Object.keys(extras));
      extras[kind]();
      return kind;
    },
  },
  {
    name: 'path.value',
    weight: 8,
    applies: (d) => Object.keys(d.pathValues).length > 0,
    apply(d, rng, target) {
      const name = rng.pick(Object.keys(d.pathValues));
      const special = target.hostile?.(d.op, name, 'path', d.role, rng);
      if (special) {
        d.pathValues[name] = { value: String(special.value) };
        return special.kind;
      }
      if (rng.chance(0.35)) {
        d.pathValues[name] = { value: rng.pick(RAW_PATH_VALUES), raw: true };
        return 'raw';
      }
      const { kind, value } = rng.chance(0.5) ? { kind: 'uuid', value: rng.pick(HOSTILE_TEXT.uuid) } : hostileText(rng);
      d.pathValues[name] = { value };
      return kind;
    },
  },
  {
    name: 'header.idempotencyKey',
    weight: 5,
    applies: (d) => d.op.operation.parameters?.some((p) => p.in === 'header' && p.name === 'Idempotency-Key') ?? false,
    apply(d, rng) {
      d.headers = d.headers.filter(([name]) => name.toLowerCase() !== 'idempotency-key');
      if (rng.chance(0.4)) {
        // A key of a small pool: reused with another body (422), at once (409), or replayed.
        d.headers.push(['Idempotency-Key', `fuzz-key-${rng.int(12)}`]);
        return 'pool';
      }
      if (rng.chance(0.15)) {
        d.headers.push(['Idempotency-Key', 'first'], ['idempotency-key', 'second']);
        return 'twice';
      }
      const key = rng.pick(IDEMPOTENCY_KEYS);
      d.headers.push(['Idempotency-Key', key]);
      return `#${IDEMPOTENCY_KEYS.indexOf(key)}`;
    },
  },
  {
    name: 'header.odd',
    weight: 8,
    applies: () => true,
    apply(d, rng) {
      const kind = rng.pick(Object.keys(ODD_HEADERS));
      d.headers.push(...ODD_HEADERS[kind](rng));
      return kind;
    },
  },
  {
    name: 'auth',
    weight: 8,
    applies: () => true,
    apply(d, rng, target) {
      const { kind, values } = oddAuthorization(rng, target.secretKey, target.tokens[d.role]);
      d.headers = d.headers.filter(([name]) => name.toLowerCase() !== 'authorization');
      for (const value of values) d.headers.push(['Authorization', value]);
      return kind;
    },
  },
  {
    // Drawn only where the campaign asks for it (once or more per operation), never at random: it
    // makes sure every operation meets a token it must refuse.
    name: 'auth.refused',
    weight: 0,
    applies: () => true,
    apply(d, rng, target) {
      const { kind, values } = oddAuthorization(rng, target.secretKey, target.tokens[d.role], true);
      d.headers = d.headers.filter(([name]) => name.toLowerCase() !== 'authorization');
      for (const value of values) d.headers.push(['Authorization', value]);
      return kind;
    },
  },
  {
    name: 'body.none',
    weight: 2,
    applies: (d) => d.body !== undefined,
    apply(d, rng) {
      d.body = undefined;
      const type = rng.pick<string | undefined>([undefined, 'application/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']);
      d.contentType = type;
      return type?.split(';')[0] ?? 'noType';
    },
  },
  {
    name: 'method',
    weight: 3,
    applies: () => true,
    apply(d, rng) {
      d.method = rng.pick(CHANGE_METHOD.filter((m) => m !== d.method));
      return d.method;
    },
  },
  {
    name: 'raw',
    weight: 2,
    applies: () => true,
    apply(d, rng, target) {
      const path = d.op.path.replace(/\{[^}]+\}/g, (placeholder) => encodeURIComponent(d.pathValues[placeholder.slice(1, -1)]?.value ?? 'x'));
      const { kind, bytes } = rawRequest(rng, path, target.tokens[d.role]);
      d.raw = bytes;
      return kind;
    },
  },
];

/** A file part made hostile: its bytes, its name, or its declared type. */
function fileMutation(d: Draft, name: string, rng: Random, target: FuzzTarget): string {
  const body = d.body as Extract<Draft['body'], { kind: 'multipart' }>;
  const part = body.parts.find((p) => p.name === name);
  if (!part) return 'noFile';
  const choice = rng.pick(['content', 'filename', 'type', 'empty']);
  if (choice === 'content') {
    const file = target.file(rng);
    part.data = file.data;
    part.filename = file.filename;
    return `content:${file.kind}`;
  }
  if (choice === 'filename') {
    part.filename = rng.pick([
      '../../etc/passwd',
      '..\\..\\x.csv',
      '',
      '.csv',
      'a'.repeat(1_000) + '.csv',
      'x\u0000.csv',
      'é💳.csv',
      'x.exe',
      'x"; name="profile',
      'CON',
      '.htaccess',
      'x\r\n.csv',
    ]);
    return 'filename';
  }
  if (choice === 'type') {
    part.contentType = rng.pick(['application/x-msdownload', 'image/png', '', 'text/csv; charset=utf-16', 'multipart/mixed']);
    return 'type';
  }
  part.data = Buffer.alloc(0);
  return 'empty';
}
