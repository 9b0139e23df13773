import {
  type AliyunDytnsProviderConfig,
  DEFAULT_BREAKER,
  type IspAppcodeProviderConfig,
  type QxtProviderConfig,
} from '../config.js';
import { Secret } from '../secret.js';
import { FAKE_ACCESS_KEY_ID, FAKE_ACCESS_KEY_SECRET, FAKE_AUTH_CODE } from './fake-aliyun-dytns.js';
import { FAKE_APPCODE } from './fake-isp-appcode.js';
import { FAKE_QXT_APIKEY } from './fake-qxt.js';

const COMMON = {
  timeoutMs: 500,
  costFen: 3,
  maxQps: 1000,
  maxConcurrency: 50,
  breaker: DEFAULT_BREAKER,
};

/** A qxt provider's settings for a fake at `url`; `apikey` in clear. */
export function qxtConfig(
  url: string,
  overrides: Partial<Omit<QxtProviderConfig, 'apikey'>> & { apikey?: string } = {},
): QxtProviderConfig {
  const { apikey, ...rest } = overrides;
  return {
    ...COMMON,
    name: 'qxt',
    kind: 'qxt',
    url,
    apikey: new Secret(apikey ?? FAKE_QXT_APIKEY, 'file'),
    method: 'POST',
    balance: null,
    ...rest,
  };
}

export function ispAppcodeConfig(
  url: string,
  overrides: Partial<Omit<IspAppcodeProviderConfig, 'appcode'>> & { appcode?: string } = {},
): IspAppcodeProviderConfig {
  const { appcode, ...rest } = overrides;
  return {
    ...COMMON,
    name: 'market',
    kind: 'isp-appcode',
    url,
    appcode: new Secret(appcode ?? FAKE_APPCODE, 'file'),
    method: 'GET',
    ...rest,
  };
}

export function dytnsConfig(
  endpoint: string,
  overrides: Partial<Omit<AliyunDytnsProviderConfig, 'accessKeyId' | 'accessKeySecret' | 'authCode'>> & {
    accessKeyId?: string;
    accessKeySecret?: string;
    authCode?: string;
  } = {},
): AliyunDytnsProviderConfig {
  const { accessKeyId, accessKeySecret, authCode, ...rest } = overrides;
  return {
    ...COMMON,
    name: 'aliyun',
    kind: 'aliyun-dytns',
    endpoint,
    accessKeyId: new Secret(accessKeyId ?? FAKE_ACCESS_KEY_ID, 'file'),
    accessKeySecret: new Secret(accessKeySecret ?? FAKE_ACCESS_KEY_SECRET, 'file'),
    authCode: new Secret(authCode ?? FAKE_AUTH_CODE, 'file'),
    mask: 'sha256',
    ...rest,
  };
}
