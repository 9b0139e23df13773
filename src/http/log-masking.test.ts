import { describe, expect, it } from 'vitest';
import { maskUrl } from './log-masking.js';

describe('maskUrl', () => {
  it('masks the seed’s example request', () => {
    expect(maskUrl('/carrier?apikey=7c11272au708345c834b8ue81ac78972&mobile=13972565391')).toBe(
      '/carrier?apikey=***&mobile=139****5391',
    );
  });

  it('masks keys and numbers wherever they are in the query, in any case', () => {
    expect(maskUrl('/isp?format=xml&appcode=abc&MOBILE=13972565391&ext=1')).toBe(
      '/isp?format=xml&appcode=***&MOBILE=139****5391&ext=1',
    );
    expect(maskUrl('/carrier?mobile=13972565391&APIKEY=secret')).toBe(
      '/carrier?mobile=139****5391&APIKEY=***',
    );
    expect(maskUrl('/carrier/batch?mobiles=13972565391')).toBe('/carrier/batch?mobiles=139****5391');
  });

  it('masks encoded spellings of a number after decoding them', () => {
    expect(maskUrl('/carrier?mobile=%2B86%20139%207256%205391')).toBe('/carrier?mobile=+86****5391');
    expect(maskUrl('/carrier?mobile=%2B86+139+7256+5391')).toBe('/carrier?mobile=+86****5391');
    const fullWidth = encodeURIComponent('１３９７２５６５３９１');
    expect(maskUrl(`/carrier?mobile=${fullWidth}`)).toBe('/carrier?mobile=１３９****５３９１');
  });

  it('masks a list of numbers as one value, showing no whole number', () => {
    const masked = maskUrl('/carrier/batch?mobile=13972565391,13800138000,15000000000');
    expect(masked).toBe('/carrier/batch?mobile=139****0138');
    for (const number of ['13972565391', '13800138000', '15000000000']) expect(masked).not.toContain(number);
  });

  it('hides short values completely and keeps broken encodings masked', () => {
    expect(maskUrl('/carrier?mobile=1234567')).toBe('/carrier?mobile=*******');
    expect(maskUrl('/carrier?mobile=')).toBe('/carrier?mobile=');
    expect(maskUrl('/carrier?mobile=%E0%A4%A13972565391')).not.toContain('3972565391');
  });

  it('leaves other parameters and paths alone', () => {
    expect(maskUrl('/balance?format=xml&callback=cb')).toBe('/balance?format=xml&callback=cb');
    expect(maskUrl('/healthz')).toBe('/healthz');
    // Names that only end like a secret parameter are not it.
    expect(maskUrl('/x?notmobile=1&myapikey=2')).toBe('/x?notmobile=1&myapikey=2');
  });

  it('masks a mobile number in a path or any other parameter', () => {
    expect(maskUrl('/carrier/13972565391')).toBe('/carrier/139****5391');
    expect(maskUrl('/x?phone=13972565391&n=123456789012')).toBe('/x?phone=139****5391&n=123456789012');
  });

  it('masks what the server reads, however the name or value is encoded or bracketed', () => {
    const key = '7c11272au708345c834b8ue81ac78972';
    for (const url of [
      `/carrier?api%6Bey=${key}&mobile=13972565391`,
      `/carrier?%61pikey=${key}`,
      `/carrier?apikey[]=${key}`,
      `/carrier?apikey[a]=${key}`,
      `/carrier?__proto__=${key}`,
      `/carrier?x=${encodeURIComponent(key)}`,
      `/carrier/${key}`,
    ]) {
      expect(maskUrl(url), url).not.toContain(key);
      expect(maskUrl(url), url).not.toContain(key.slice(0, 24));
    }
    expect(maskUrl(`/carrier?api%6Bey=${key}`)).toBe('/carrier?apikey=***');
    expect(maskUrl('/carrier?mob%69le=%313972565391')).toBe('/carrier?mobile=139****5391');
    expect(maskUrl('/carrier?MOBILE[]=13972565391')).toBe('/carrier?MOBILE[]=139****5391');
  });

  it('keeps control characters out of the line', () => {
    expect(maskUrl('/carrier?format=xml%0A%7B%22level%22%3A60%7D')).toBe('/carrier?format=xml{"level":60}');
  });
});
