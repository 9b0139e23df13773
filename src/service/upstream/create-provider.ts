import { AliyunDytnsProvider } from './aliyun-dytns-provider.js';
import type { ProviderConfig } from './config.js';
import { IspAppcodeProvider } from './isp-appcode-provider.js';
import type { UpstreamProvider } from './provider.js';
import { QxtProvider } from './qxt-provider.js';

/** The adapter for a provider of the file. */
export function createProvider(config: ProviderConfig): UpstreamProvider {
  switch (config.kind) {
    case 'qxt':
      return new QxtProvider(config);
    case 'isp-appcode':
      return new IspAppcodeProvider(config);
    case 'aliyun-dytns':
      return new AliyunDytnsProvider(config);
  }
}
