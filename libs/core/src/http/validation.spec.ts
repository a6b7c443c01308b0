import { ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, Min, ValidateNested } from 'class-validator';
import { DomainError, FieldProblem, ValidationError } from '../errors/domain-errors';
import { createValidationPipe, markTextOnlyBody, toFieldProblems } from './validation';

class AddressDto {
  @IsString()
  @IsNotEmpty()
  city: string;

  @Matches(/^\d{5}$/)
  zip: string;
}

class LineDto {
  @IsInt()
  @Min(1)
  quantity: number;
}

class OrderDto {
  @IsString()
  name: string;

  @IsInt()
  @Min(1)
  amount: number;

  @ValidateNested()
  @Type(() => AddressDto)
  address: AddressDto;

  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => LineDto)
  lines?: LineDto[];

  @IsOptional()
  @IsString()
  note?: string;
}

const metadata: ArgumentMetadata = { type: 'body', metatype: OrderDto };

const validBody = () => ({ name: 'Order 1', amount: 250, address: { city: 'Lyon', zip: '69001' } });

/** Runs the pipe, expecting a rejection; returns the thrown error. */
async function rejection(pipe: ValidationPipe, value: unknown): Promise<ValidationError> {
  let caught: unknown;
  try {
    await pipe.transform(value, metadata);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ValidationError);
  return caught as ValidationError;
}

const fieldsOf = (error: ValidationError) => (error.details as FieldProblem[]).map((problem) => problem.field);

describe('createValidationPipe', () => {
  let pipe: ValidationPipe;

  beforeEach(() => {
    pipe = createValidationPipe();
  });

  it('passes a valid body, transformed into the DTO class', async () => {
    const result = await pipe.transform(validBody(), metadata);
    expect(result).toBeInstanceOf(OrderDto);
    expect(result.address).toBeInstanceOf(AddressDto);
    expect(result).toEqual(validBody());
  });

  it('transforms nested array items into their class', async () => {
    const result = await pipe.transform({ ...validBody(), lines: [{ quantity: 2 }] }, metadata);
    expect(result.lines[0]).toBeInstanceOf(LineDto);
    expect(result.lines[0].quantity).toBe(2);
  });

  it('throws the ValidationError domain class, with a message starting "Invalid input:"', async () => {
    const error = await rejection(pipe, { ...validBody(), amount: 0 });
    expect(error).toBeInstanceOf(DomainError);
    expect(error.kind).toBe('validation');
    expect(error.message.startsWith('Invalid input:')).toBe(true);
    expect(error.message).toBe('Invalid input: amount');
  });

  it('refuses an unknown field, naming it', async () => {
    const error = await rejection(pipe, { ...validBody(), isAdmin: true });
    expect(error.details).toEqual([{ field: 'isAdmin', problems: ['property isAdmin should not exist'] }]);
    expect(error.message).toBe('Invalid input: isAdmin');
  });

  it('refuses an unknown nested field, naming its dotted path', async () => {
    const error = await rejection(pipe, { ...validBody(), address: { city: 'Lyon', zip: '69001', street: 'x' } });
    expect(fieldsOf(error)).toEqual(['address.street']);
  });

  it('names every bad field, nested ones by dotted path', async () => {
    const error = await rejection(pipe, { name: 5, amount: 0, address: { city: '', zip: 'abc' } });
    expect(fieldsOf(error)).toEqual(['name', 'amount', 'address.city', 'address.zip']);
    expect(error.message).toBe('Invalid input: name, amount, address.city, address.zip');
  });

  it('names only the type rule for a value of the wrong type, not the range rules after it', async () => {
    const error = await rejection(pipe, { ...validBody(), amount: 'lots' });
    expect(error.details).toEqual([{ field: 'amount', problems: ['amount must be an integer number'] }]);
  });

  it('names only the range rule a number breaks', async () => {
    const error = await rejection(pipe, { ...validBody(), amount: -1 });
    expect(error.details).toEqual([{ field: 'amount', problems: ['amount must not be less than 1'] }]);
  });

  it('says a missing required field is required, once', async () => {
    const { name: _name, ...body } = validBody();
    const error = await rejection(pipe, body);
    expect(error.details).toEqual([{ field: 'name', problems: ['name is required'] }]);
  });

  it('lists every rule a value of the right type breaks', async () => {
    const error = await rejection(pipe, { ...validBody(), address: { city: 'Lyon', zip: 'abc' } });
    expect(error.details).toEqual([{ field: 'address.zip', problems: ['zip must match /^\\d{5}$/ regular expression'] }]);
  });

  it('does not convert a JSON string to a number: JSON carries its types', async () => {
    const error = await rejection(pipe, { ...validBody(), amount: '250' });
    expect(error.details).toEqual([{ field: 'amount', problems: ['amount must be an integer number'] }]);
  });

  it('names a bad item of a nested array by its index', async () => {
    const error = await rejection(pipe, { ...validBody(), lines: [{ quantity: 1 }, { quantity: 0 }] });
    expect(fieldsOf(error)).toEqual(['lines.1.quantity']);
  });

  it('does not echo the rejected values in the details', async () => {
    const error = await rejection(pipe, { ...validBody(), name: 4111111111111111 });
    expect(JSON.stringify(error.details)).not.toContain('4111111111111111');
  });

  it('leaves a non-body value without metatype untouched', async () => {
    expect(await pipe.transform('42', { type: 'param' })).toBe('42');
  });
});

class PageQuery {
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100)
  skip?: number;

  @IsOptional()
  @IsBoolean()
  detailed?: boolean;

  @IsOptional()
  @IsString()
  q?: string;
}

describe('text-only inputs (query strings and forms)', () => {
  const pipe = createValidationPipe();
  const query: ArgumentMetadata = { type: 'query', metatype: PageQuery };
  const problemsOf = async (value: unknown, metadata = query) => {
    try {
      await pipe.transform(value, metadata);
    } catch (error) {
      return (error as ValidationError).details;
    }
    throw new Error('expected a rejection');
  };

  it('reads digits as the number and true/false as the boolean the property is declared as', async () => {
    expect(await pipe.transform({ skip: '20', detailed: 'false', q: '42' }, query)).toEqual({ skip: 20, detailed: false, q: '42' });
  });

  it('names the range rule for a negative or huge integer, once', async () => {
    expect(await problemsOf({ skip: '-1' })).toEqual([{ field: 'skip', problems: ['skip must not be less than 0'] }]);
    expect(await problemsOf({ skip: '18446744073709551616' })).toEqual([{ field: 'skip', problems: ['skip must not be greater than 100'] }]);
    expect(await problemsOf({ skip: '9'.repeat(400) })).toEqual([{ field: 'skip', problems: ['skip must not be greater than 100'] }]);
  });

  it.each(['1e3', '0x10', ' 5', '1.0', '+5', 'ten', ''])('refuses %j as not a whole number, with one message', async (raw) => {
    expect(await problemsOf({ skip: raw })).toEqual([{ field: 'skip', problems: ['skip must be an integer number'] }]);
  });

  it('converts a body marked as a form like a query; an unmarked (JSON) body stays as sent', async () => {
    const body: ArgumentMetadata = { type: 'body', metatype: PageQuery };
    const form = { skip: '5', detailed: 'true' };
    markTextOnlyBody(form);
    expect(await pipe.transform(form, body)).toEqual({ skip: 5, detailed: true });
    expect(await problemsOf({ skip: '5' }, body)).toEqual([{ field: 'skip', problems: ['skip must be an integer number'] }]);
  });
});

describe('query strings asked again', () => {
  const query: ArgumentMetadata = { type: 'query', metatype: PageQuery };

  it('give the same DTO, a copy of its own each time (a caller changing its copy changes no other)', async () => {
    const pipe = createValidationPipe();
    const first = (await pipe.transform({ skip: '20', q: 'x' }, query)) as PageQuery;
    first.skip = 99;
    const again = await pipe.transform({ skip: '20', q: 'x' }, query);
    expect(again).toBeInstanceOf(PageQuery);
    expect(again).toEqual({ skip: 20, q: 'x' });
    expect(again).not.toBe(await pipe.transform({ skip: '20', q: 'x' }, query));
  });

  it('are refused again with the same problems (a refused query is not kept)', async () => {
    const pipe = createValidationPipe();
    for (const value of [{ skip: '-1' }, { skip: '-1' }, { skip: 'x\u0000' }, { skip: 'x\u0000' }]) {
      await expect(pipe.transform(value, query)).rejects.toBeInstanceOf(ValidationError);
    }
    const problems = async () => pipe.transform({ skip: '-1' }, query).catch((error: ValidationError) => error.details);
    expect(await problems()).toEqual([{ field: 'skip', problems: ['skip must not be less than 0'] }]);
    expect(await problems()).toEqual(await problems());
  });

  it("are kept per DTO class: the same parameters judged by another class get that class's answer", async () => {
    const pipe = createValidationPipe();
    expect(await pipe.transform({ skip: '5' }, query)).toBeInstanceOf(PageQuery);
    await expect(pipe.transform({ skip: '5' }, { type: 'query', metatype: OrderDto })).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('unsafe text, refused before any rule of the route', () => {
  const pipe = createValidationPipe();
  const problemsOf = async (value: unknown, metadata: ArgumentMetadata) => {
    try {
      await pipe.transform(value, metadata);
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return (error as ValidationError).details;
    }
    throw new Error('expected a rejection');
  };

  it('names a body field holding a NUL, nested ones by their path', async () => {
    expect(await problemsOf({ ...validBody(), address: { city: 'Ly\u0000on', zip: '69001' } }, metadata)).toEqual([
      { field: 'address.city', problems: ['city must not contain a NUL character (U+0000)'] },
    ]);
  });

  it('names every field holding an unpaired surrogate, high or low', async () => {
    expect(await problemsOf({ ...validBody(), name: 'a\udfff', note: '\ud800b' }, metadata)).toEqual([
      { field: 'name', problems: ['name must be valid Unicode text (it holds an unpaired surrogate)'] },
      { field: 'note', problems: ['note must be valid Unicode text (it holds an unpaired surrogate)'] },
    ]);
  });

  it('lets a surrogate pair (an emoji) through', async () => {
    await expect(pipe.transform({ ...validBody(), name: 'Order \ud83d\ude00' }, metadata)).resolves.toBeInstanceOf(OrderDto);
  });

  it('checks query values, array items and path parameters, even where no DTO declares a rule', async () => {
    expect(await problemsOf({ q: ['ok', 'x\u0000'] }, { type: 'query', metatype: PageQuery })).toEqual([
      { field: 'q.1', problems: ['q must not contain a NUL character (U+0000)'] },
    ]);
    expect(await problemsOf('ab\u0000', { type: 'param', data: 'task_id' })).toEqual([
      { field: 'task_id', problems: ['task_id must not contain a NUL character (U+0000)'] },
    ]);
  });

  it('checks field names too', async () => {
    expect(await problemsOf({ ...validBody(), 'is\u0000admin': true }, metadata)).toEqual([
      { field: 'body', problems: ['a field name must not contain a NUL character (U+0000)'] },
    ]);
  });
});

describe('toFieldProblems', () => {
  it('flattens a class-validator tree, skipping nodes without constraints, one message per broken rule', () => {
    const problems = toFieldProblems([
      {
        property: 'address',
        children: [
          { property: 'zip', value: 'x', constraints: { matches: 'zip is bad', maxLength: 'zip is short' }, children: [] },
          { property: 'geo', children: [{ property: 'lat', value: 91, constraints: { max: 'lat too big' } }] },
        ],
      },
      { property: 'name', value: 5, constraints: { isString: 'name must be a string', isNotEmpty: 'name is empty' } },
      { property: 'email', value: undefined, constraints: { isEmail: 'email must be an email' } },
    ]);
    expect(problems).toEqual([
      { field: 'address.zip', problems: ['zip is bad', 'zip is short'] },
      { field: 'address.geo.lat', problems: ['lat too big'] },
      { field: 'name', problems: ['name must be a string'] },
      { field: 'email', problems: ['email is required'] },
    ]);
  });
});
