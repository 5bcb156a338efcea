import { getMetadataStorage, IsInt, IsString, Min, validate } from 'class-validator';
import { cacheValidationMetadata } from './validation-metadata-cache';

class Address {
  @IsString()
  city!: string;
}

class Line extends Address {
  @IsInt()
  @Min(1)
  quantity!: number;

  @IsString({ groups: ['admin'] })
  note?: string;
}

describe('cacheValidationMetadata', () => {
  const storage = getMetadataStorage();
  // class-validator's own answers, taken before the cache is installed.
  const uncached = {
    plain: storage.getTargetValidationMetadatas(Line, '', false, false),
    admin: storage.getTargetValidationMetadatas(Line, '', false, false, ['admin']),
  };
  beforeAll(() => cacheValidationMetadata(storage));

  it("answers as class-validator does (inherited rules, groups), and remembers the answer", () => {
    const plain = storage.getTargetValidationMetadatas(Line, '', false, false);
    expect(plain).toEqual(uncached.plain);
    expect(storage.getTargetValidationMetadatas(Line, '', false, false, ['admin'])).toEqual(uncached.admin);
    expect(uncached.plain.map((m) => m.propertyName).sort()).toEqual(['city', 'note', 'quantity', 'quantity']);
    expect(uncached.admin.map((m) => m.propertyName)).toEqual(['note']);
    expect(storage.getTargetValidationMetadatas(Line, '', false, false)).toBe(plain);
  });

  it('forgets what it remembered when a rule is registered afterwards', () => {
    class Parcel {
      @IsString()
      city!: string;
    }
    expect(storage.getTargetValidationMetadatas(Parcel, '', false, false)).toHaveLength(1);
    IsInt()(Parcel.prototype, 'floor');
    expect(storage.getTargetValidationMetadatas(Parcel, '', false, false)).toHaveLength(2);
    // A class defined after the lookups gets its parent's rules too.
    class Shipment extends Parcel {
      @IsString()
      carrier!: string;
    }
    expect(storage.getTargetValidationMetadatas(Shipment, '', false, false).map((m) => m.propertyName).sort()).toEqual(['carrier', 'city', 'floor']);
  });

  it('validates as before', async () => {
    const line = Object.assign(new Line(), { city: 'Austin', quantity: 2, note: 'gift' });
    expect(await validate(line)).toEqual([]);
    const bad = Object.assign(new Line(), { city: 7, quantity: 0, note: 5 });
    expect((await validate(bad)).map((e) => e.property).sort()).toEqual(['city', 'note', 'quantity']);
    expect((await validate(bad, { groups: ['admin'] })).map((e) => e.property)).toEqual(['note']);
  });
});
