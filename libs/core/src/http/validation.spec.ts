import { ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsOptional, IsString, Matches, Min, ValidateNested } from 'class-validator';
import { DomainError, FieldProblem, ValidationError } from '../errors/domain-errors';
import { createValidationPipe, toFieldProblems } from './validation';

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

  it('lists each constraint message of a bad field', async () => {
    const error = await rejection(pipe, { ...validBody(), amount: 'lots' });
    const [amount] = error.details as FieldProblem[];
    expect(amount.field).toBe('amount');
    expect([...amount.problems].sort()).toEqual(['amount must be an integer number', 'amount must not be less than 1']);
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

describe('toFieldProblems', () => {
  it('flattens a class-validator tree, skipping nodes without constraints', () => {
    const problems = toFieldProblems([
      {
        property: 'address',
        children: [
          { property: 'zip', constraints: { matches: 'zip is bad' }, children: [] },
          { property: 'geo', children: [{ property: 'lat', constraints: { max: 'lat too big' } }] },
        ],
      },
      { property: 'name', constraints: { isString: 'name must be a string', isNotEmpty: 'name is empty' } },
    ]);
    expect(problems).toEqual([
      { field: 'address.zip', problems: ['zip is bad'] },
      { field: 'address.geo.lat', problems: ['lat too big'] },
      { field: 'name', problems: ['name must be a string', 'name is empty'] },
    ]);
  });
});
