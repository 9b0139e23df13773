import { describe, expect, it } from 'vitest';
import { shortCityName, shortProvinceName, splitRegionName } from './region-name.js';

describe('splitRegionName', () => {
  it.each([
    ['湖北省宜昌市', '湖北', '宜昌', []],
    ['北京市', '北京', '北京', []],
    ['天津', '天津', '天津', []],
    ['内蒙古锡林郭勒盟', '内蒙古', '锡林郭勒', []],
    ['广西南宁市', '广西', '南宁', []],
    ['广西壮族自治区南宁市', '广西', '南宁', []],
    ['黑龙江省大兴安岭地区', '黑龙江', '大兴安岭', []],
    ['吉林省延边朝鲜族自治州', '吉林', '延边', []],
    ['湖南省湘西土家族苗族自治州', '湖南', '湘西', []],
    ['新疆克孜勒苏柯尔克孜自治州', '新疆', '克孜勒苏', []],
    ['青海省海西蒙古族藏族自治州', '青海', '海西', []],
    ['云南省西双版纳傣族自治州', '云南', '西双版纳', []],
    ['湖北省神农架林区', '湖北', '神农架', []],
    ['西藏索县', '西藏', '索县', []],
    ['四川省成都市、资阳市、眉山市', '四川', '成都', ['资阳', '眉山']],
    ['吉林省延边朝鲜族自治州、珲春市、延吉市', '吉林', '延边', ['珲春', '延吉']],
  ])('%s → %s-%s', (full, province, city, alsoListed) => {
    expect(splitRegionName(full)).toEqual({ province, city, alsoListed });
  });

  it('refuses names without a province', () => {
    expect(splitRegionName('Springfield')).toBeUndefined();
    expect(splitRegionName('')).toBeUndefined();
  });
});

describe('short names', () => {
  it('keeps names whose last character is part of the name', () => {
    expect(shortCityName('杭州')).toBe('杭州');
    expect(shortCityName('沙市')).toBe('沙市');
    expect(shortCityName('兴安盟')).toBe('兴安');
    expect(shortCityName('乌鲁木齐市')).toBe('乌鲁木齐');
  });
  it('shortens provinces', () => {
    expect(shortProvinceName('湖北省')).toBe('湖北');
    expect(shortProvinceName('新疆维吾尔自治区')).toBe('新疆');
    expect(shortProvinceName('内蒙古')).toBe('内蒙古');
  });
});
