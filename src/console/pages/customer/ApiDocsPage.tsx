import { useState } from 'react';
import { Alert, Card, Descriptions, Flex, Table, Tabs, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { CopyButton } from '../../components/CopyButton';
import { PageTitle } from '../../components/PageTitle';
import { RESULT_CODES, codeExplanation, codeReason } from '../../i18n/words';
import { codeColor } from '../../lib/codes';
import { JobsDocsCard } from './JobsDocsCard';
import {
  APIKEY_PLACEHOLDER,
  LANGUAGES,
  RESPONSES,
  sample,
  type Endpoint,
  type Language,
} from './api-samples';

function CodeBlock({ code, testId }: { code: string; testId?: string }) {
  return (
    <div style={{ position: 'relative' }}>
      <pre className="code-block" data-testid={testId} style={{ paddingRight: 56 }}>
        {code}
      </pre>
      <div style={{ position: 'absolute', top: 8, right: 8 }}>
        <CopyButton text={code} />
      </div>
    </div>
  );
}

function EndpointCard({
  endpoint,
  language,
  onLanguage,
}: {
  endpoint: Endpoint;
  language: Language;
  onLanguage: (l: Language) => void;
}) {
  const { t } = useTranslation();
  const origin = window.location.origin;
  const method = endpoint === 'batch' ? 'POST' : 'GET / POST';
  const path = endpoint === 'carrier' ? '/carrier' : endpoint === 'balance' ? '/balance' : '/carrier/batch';
  const params: { name: string; text: string }[] =
    endpoint === 'carrier'
      ? [
          { name: 'apikey', text: t('docs.params.apikey') },
          { name: 'mobile', text: t('docs.params.mobile') },
          { name: 'ext', text: t('docs.params.ext') },
        ]
      : endpoint === 'balance'
        ? [{ name: 'apikey', text: t('docs.params.apikey') }]
        : [
            { name: 'apikey', text: t('docs.params.apikey') },
            { name: 'mobiles', text: t('docs.params.mobiles') },
          ];
  return (
    <Card
      title={
        <Flex gap={8} align="center" wrap>
          <Tag color={endpoint === 'batch' ? 'purple' : 'blue'}>{method}</Tag>
          <Typography.Text code>{path}</Typography.Text>
        </Flex>
      }
      style={{ marginBottom: 16 }}
      data-testid={`docs-${endpoint}`}
    >
      <Typography.Paragraph>{t(`docs.endpoints.${endpoint}`)}</Typography.Paragraph>
      <Table
        size="small"
        rowKey="name"
        pagination={false}
        dataSource={params}
        style={{ marginBottom: 16 }}
        columns={[
          {
            title: t('docs.param'),
            dataIndex: 'name',
            width: 120,
            render: (name: string) => <Typography.Text code>{name}</Typography.Text>,
          },
          { title: t('docs.meaning'), dataIndex: 'text' },
        ]}
      />
      <Tabs
        activeKey={language}
        onChange={(key) => onLanguage(key as Language)}
        items={LANGUAGES.map(({ key, label }) => ({
          key,
          label,
          children: <CodeBlock code={sample(key, endpoint, origin)} testId={`docs-${endpoint}-${key}`} />,
        }))}
      />
      <Typography.Text strong>{t('docs.response')}</Typography.Text>
      <div style={{ marginTop: 8 }}>
        <CodeBlock code={RESPONSES[endpoint]} />
      </div>
    </Card>
  );
}

export function ApiDocsPage() {
  const { t, i18n } = useTranslation();
  // The API answers with its reasons in Chinese whatever the console's language: show them as sent.
  const sentReason = i18n.getFixedT('zh');
  const [language, setLanguage] = useState<Language>('curl');
  const origin = window.location.origin;
  return (
    <>
      <PageTitle title={t('docs.title')} subtitle={t('docs.subtitle')} />
      <Card style={{ marginBottom: 16 }}>
        <Descriptions
          column={1}
          size="small"
          items={[
            {
              key: 'base',
              label: t('docs.baseUrl'),
              children: <Typography.Text copyable>{origin}</Typography.Text>,
            },
            { key: 'format', label: t('docs.format'), children: t('docs.formatText') },
            { key: 'auth', label: t('docs.auth'), children: t('docs.authText') },
            { key: 'billing', label: t('docs.billing'), children: t('docs.billingText') },
          ]}
        />
        <Alert
          type="info"
          showIcon
          style={{ marginTop: 12 }}
          title={t('docs.replaceKey', { placeholder: APIKEY_PLACEHOLDER })}
        />
      </Card>
      {(['carrier', 'balance', 'batch'] as const).map((endpoint) => (
        <EndpointCard key={endpoint} endpoint={endpoint} language={language} onLanguage={setLanguage} />
      ))}
      <JobsDocsCard />
      <Card title={t('docs.codesTitle')}>
        <Table
          size="small"
          rowKey="code"
          pagination={false}
          scroll={{ x: 640 }}
          dataSource={RESULT_CODES.map((code) => ({ code }))}
          columns={[
            {
              title: t('docs.code'),
              dataIndex: 'code',
              width: 80,
              render: (code: number) => <Tag color={codeColor(code)}>{code}</Tag>,
            },
            {
              title: 'reason',
              dataIndex: 'code',
              key: 'reason',
              width: 220,
              render: (code: number) => codeReason(sentReason, code),
            },
            {
              title: t('docs.meaning'),
              dataIndex: 'code',
              key: 'meaning',
              render: (code: number) => codeExplanation(t, code),
            },
          ]}
        />
        <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>
          {t('docs.resTitle')}
        </Typography.Paragraph>
        <Descriptions
          size="small"
          column={1}
          items={(['0', '1', '3', '4'] as const).map((res) => ({
            key: res,
            label: <Typography.Text code>res = {res}</Typography.Text>,
            children: t(`docs.res.${res}`),
          }))}
        />
      </Card>
    </>
  );
}
