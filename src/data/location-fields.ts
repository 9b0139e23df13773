import { shortCityName, shortProvinceName } from '../core/region-name.js';
import { type Location, makeLocation } from '../core/segment-table.js';
import type { ReadReport } from './read-report.js';

const ZIP = /^\d{6}$/;
const AREA_CODE = /^0\d{2,3}$/;

/**
 * Cleans the four location fields every segment format carries, reporting what it had to mend:
 * zips stored as integers lose their leading zero (`14000` → `014000`), some rows list several zips.
 */
export function readLocation(
  fields: { province: string; city: string; zip: string; areaCode: string },
  report: ReadReport,
  where: string,
): Location {
  // The contract's Area has no suffixes: 锡林郭勒盟 and 锡林郭勒 are one place.
  const province = shortProvinceName(fields.province);
  const city = shortCityName(fields.city);
  let zip = fields.zip.trim();
  let areaCode = fields.areaCode.trim();

  if (!province) report.add(where, 'empty province');
  if (!city) report.add(where, 'empty city');
  if (zip && !ZIP.test(zip)) {
    const original = zip;
    if (/^\d{5}$/.test(zip)) zip = '0' + zip;
    else
      zip =
        zip
          .split(/[/,;、]/)
          .find((part) => ZIP.test(part.trim()))
          ?.trim() ?? '';
    report.add(
      where,
      zip ? `zip ${JSON.stringify(original)} read as ${zip}` : `zip ${JSON.stringify(original)} dropped`,
      'malformed zip',
    );
  }
  if (areaCode && !AREA_CODE.test(areaCode)) {
    const original = areaCode;
    areaCode = /^[1-9]\d{1,2}$/.test(areaCode) ? '0' + areaCode : '';
    report.add(
      where,
      areaCode
        ? `area code ${JSON.stringify(original)} read as ${areaCode}`
        : `area code ${JSON.stringify(original)} dropped`,
      'malformed area code',
    );
  }
  return makeLocation(province, city, zip, areaCode);
}
