import { useEffect, useState, type ReactNode } from 'react';
import { App as AntApp, ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import enUS from 'antd/locale/en_US';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError, onSessionLost } from '../api/client';
import { forgetUserData } from './session';

function makeClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // A refusal will not change by asking again; a dropped connection might.
        retry: (failures, error) => failures < 2 && (!(error instanceof ApiError) || error.status >= 500),
        refetchOnWindowFocus: false,
        staleTime: 5_000,
      },
    },
  });
}

export function Providers({ children }: { children: ReactNode }) {
  const { i18n } = useTranslation();
  const [client] = useState(makeClient);
  useEffect(() => onSessionLost(() => forgetUserData(client, null)), [client]);
  return (
    <ConfigProvider
      locale={i18n.language === 'en' ? enUS : zhCN}
      theme={{ token: { colorPrimary: '#1668dc', borderRadius: 6 } }}
    >
      <AntApp>
        <QueryClientProvider client={client}>{children}</QueryClientProvider>
      </AntApp>
    </ConfigProvider>
  );
}
