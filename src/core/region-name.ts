/**
 * Chinese administrative names as the contract writes them: `省-市` without suffixes
 * (`湖北省宜昌市` → 湖北 / 宜昌, `内蒙古锡林郭勒盟` → 内蒙古 / 锡林郭勒).
 */

const PROVINCES = [
  '北京',
  '天津',
  '上海',
  '重庆',
  '河北',
  '山西',
  '辽宁',
  '吉林',
  '黑龙江',
  '江苏',
  '浙江',
  '安徽',
  '福建',
  '江西',
  '山东',
  '河南',
  '湖北',
  '湖南',
  '广东',
  '海南',
  '四川',
  '贵州',
  '云南',
  '陕西',
  '甘肃',
  '青海',
  '台湾',
  '内蒙古',
  '广西',
  '西藏',
  '宁夏',
  '新疆',
  '香港',
  '澳门',
] as const;

const MUNICIPALITIES = new Set(['北京', '天津', '上海', '重庆']);

/** Longest first so that e.g. `广西壮族自治区` is consumed whole before `广西`. */
const PROVINCE_SPELLINGS: readonly [string, string][] = PROVINCES.flatMap((short): [string, string][] => [
  [short, short],
  [`${short}省`, short],
  [`${short}市`, short],
  [`${short}自治区`, short],
  [`${short}特别行政区`, short],
])
  .concat([
    ['广西壮族自治区', '广西'],
    ['宁夏回族自治区', '宁夏'],
    ['新疆维吾尔自治区', '新疆'],
  ])
  .sort((a, b) => b[0].length - a[0].length);

/** Ethnic names that precede 自治州 (with or without 族): 延边朝鲜族自治州 → 延边. */
const ETHNIC_NAMES = [
  '朝鲜',
  '蒙古',
  '藏',
  '哈萨克',
  '柯尔克孜',
  '土家',
  '苗',
  '布依',
  '侗',
  '彝',
  '白',
  '傣',
  '景颇',
  '傈僳',
  '哈尼',
  '壮',
  '羌',
  '回',
  '维吾尔',
  '纳西',
  '瑶',
  '黎',
  '畲',
  '水',
  '仫佬',
  '毛南',
  '仡佬',
  '土',
  '撒拉',
  '保安',
  '东乡',
  '裕固',
  '锡伯',
  '达斡尔',
  '鄂温克',
  '鄂伦春',
  '满',
  '拉祜',
  '佤',
  '布朗',
];

function stripSuffix(name: string, suffix: string, minRest = 2): string {
  return name.endsWith(suffix) && name.length - suffix.length >= minRest
    ? name.slice(0, -suffix.length)
    : name;
}

export function shortProvinceName(name: string): string {
  const trimmed = name.trim();
  for (const [spelling, short] of PROVINCE_SPELLINGS) if (trimmed === spelling) return short;
  return trimmed;
}

export function shortCityName(name: string): string {
  let city = name.trim();
  if (city.endsWith('自治州') && city.length > 3) {
    city = city.slice(0, -3);
    for (let stripped = true; stripped;) {
      stripped = false;
      for (const ethnic of ETHNIC_NAMES) {
        for (const spelling of [`${ethnic}族`, ethnic]) {
          const shorter = stripSuffix(city, spelling);
          if (shorter !== city) {
            city = shorter;
            stripped = true;
          }
        }
      }
    }
    return city;
  }
  for (const suffix of ['地区', '林区', '盟', '市']) {
    const shorter = stripSuffix(city, suffix);
    if (shorter !== city) return shorter;
  }
  return city;
}

export interface RegionName {
  province: string;
  city: string;
  /** Other places the same entry lists after the first (`沈阳市、铁岭市、抚顺市`). */
  alsoListed: string[];
}

/**
 * Splits a full name such as `湖北省宜昌市` or `四川省成都市、资阳市、眉山市`. An entry that lists
 * several places is answered with the first: it is the seat the others share the range with.
 * Returns undefined when no province is recognised.
 */
export function splitRegionName(full: string): RegionName | undefined {
  const text = full.trim();
  for (const [spelling, province] of PROVINCE_SPELLINGS) {
    if (!text.startsWith(spelling)) continue;
    const places = text
      .slice(spelling.length)
      .split(/[、,，]/)
      .map((place) => shortCityName(place))
      .filter((place) => place.length > 0);
    if (places.length === 0) {
      return MUNICIPALITIES.has(province)
        ? { province, city: province, alsoListed: [] }
        : { province, city: '', alsoListed: [] };
    }
    return { province, city: places[0], alsoListed: places.slice(1) };
  }
  return undefined;
}
