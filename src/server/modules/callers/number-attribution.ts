/**
 * 号码归属地: province and city of a caller number from a prefix table kept as data (JSON):
 * 7-digit mobile segments as sorted ranges (binary search), landline area codes (3 or 4
 * digits after the trunk 0), and the mobile operator by the first three digits. The shipped
 * table is generated sample data for the sample province (see its `_about`); a site points
 * HOTLINE_NUMBER_ATTRIBUTION_FILE at its licensed table in the same format.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { NumberAttribution } from '../../../shared/api/callers.js';

const TableSchema = z.object({
  provinces: z.array(z.string()),
  /** [province index, city name] */
  cities: z.array(z.tuple([z.number().int(), z.string()])),
  /** Area code with its leading 0 ("0571", "010") → city index. */
  areaCodes: z.record(z.string().regex(/^0\d{2,3}$/), z.number().int()),
  carriers: z.record(z.string().regex(/^1\d\d$/), z.string()),
  /** [first 7-digit segment, last 7-digit segment, city index], sorted and disjoint. */
  mobile: z.array(z.tuple([z.number().int(), z.number().int(), z.number().int()])),
});
type Table = z.infer<typeof TableSchema>;

const here = dirname(fileURLToPath(import.meta.url));
/** The shipped sample table (copied next to the compiled module by scripts/copy-server-assets.mjs). */
export const SAMPLE_TABLE_FILE = join(here, 'number-attribution.sample.json');

export class NumberAttributionTable {
  private readonly starts: Int32Array;

  private constructor(private readonly t: Table) {
    this.starts = Int32Array.from(t.mobile.map((m) => m[0]));
    for (let i = 1; i < t.mobile.length; i++) {
      if (t.mobile[i]![0] <= t.mobile[i - 1]![1]) throw new Error(`number attribution table: mobile ranges overlap or are unsorted at ${i}`);
    }
  }

  static load(file = SAMPLE_TABLE_FILE): NumberAttributionTable {
    return new NumberAttributionTable(TableSchema.parse(JSON.parse(readFileSync(file, 'utf8'))));
  }

  private place(cityIndex: number | undefined): Pick<NumberAttribution, 'province' | 'city'> {
    const c = cityIndex === undefined ? undefined : this.t.cities[cityIndex];
    if (!c) return { province: null, city: null };
    return { province: this.t.provinces[c[0]] ?? null, city: c[1] };
  }

  /** Attribution of a normalised number (src/shared/phone-number.ts); unknown parts are null. */
  lookup(normalised: string): NumberAttribution {
    if (/^1[3-9]\d{9}$/.test(normalised)) {
      const seg = Number(normalised.slice(0, 7));
      // Last range starting at or before the segment.
      let lo = 0;
      let hi = this.starts.length - 1;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (this.starts[mid]! <= seg) {
          found = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      const range = found >= 0 ? this.t.mobile[found] : undefined;
      const city = range && seg <= range[1] ? range[2] : undefined;
      return { kind: 'mobile', carrier: this.t.carriers[normalised.slice(0, 3)] ?? null, ...this.place(city) };
    }
    if (/^0[1-9]\d{8,10}$/.test(normalised)) {
      // 010/02x are three-digit area codes; the rest are four (0571).
      const city = this.t.areaCodes[normalised.slice(0, 3)] ?? this.t.areaCodes[normalised.slice(0, 4)];
      return { kind: 'landline', carrier: null, ...this.place(city) };
    }
    // A local landline dialled without its area code: the site's own city, which the table does not know.
    if (/^[2-9]\d{6,7}$/.test(normalised)) return { kind: 'landline', carrier: null, province: null, city: null };
    if (/^(1\d{2,4}|9\d{4})$/.test(normalised)) return { kind: 'service', carrier: null, province: null, city: null };
    return { kind: 'unknown', carrier: null, province: null, city: null };
  }
}
