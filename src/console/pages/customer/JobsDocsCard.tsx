import { useState } from 'react';
import { Card, Descriptions, Flex, Tabs, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { CopyButton } from '../../components/CopyButton';
import { APIKEY_PLACEHOLDER } from './api-samples';
import {
  CALLBACK_REQUEST,
  JOB_SAMPLES,
  STATUS_RESPONSE,
  SUBMIT_RESPONSE,
  VERIFY_SAMPLES,
  type JobSample,
  type VerifyLanguage,
  jobSample,
} from './jobs-samples';

function Code({ code, testId }: { code: string; testId?: string }) {
  return (
    <div style={{ position: 'relative', marginBottom: 12 }}>
      <pre className="code-block" data-testid={testId} style={{ paddingRight: 56 }}>
        {code}
      </pre>
      <div style={{ position: 'absolute', top: 8, right: 8 }}>
        <CopyButton text={code} />
      </div>
    </div>
  );
}

const METHODS: Record<JobSample, string> = {
  submit: 'POST /jobs',
  file: 'POST /jobs',
  status: 'GET /jobs/{id}',
  results: 'GET /jobs/{id}/results',
  cancel: 'DELETE /jobs/{id}',
  list: 'GET /jobs',
};

/** Bulk jobs and signed callbacks, documented with examples to copy. */
export function JobsDocsCard() {
  const { t } = useTranslation();
  const origin = window.location.origin;
  const [sample, setSample] = useState<JobSample>('submit');
  const [language, setLanguage] = useState<VerifyLanguage>('python');
  return (
    <>
      <Card
        title={
          <Flex gap={8} align="center" wrap>
            <Tag color="purple">POST / GET / DELETE</Tag>
            <Typography.Text code>/jobs</Typography.Text>
          </Flex>
        }
        style={{ marginBottom: 16 }}
        data-testid="docs-jobs"
      >
        <Typography.Paragraph>{t('jobs.docs.intro')}</Typography.Paragraph>
        <Descriptions
          size="small"
          column={1}
          style={{ marginBottom: 16 }}
          items={(['mobiles', 'file', 'requestId', 'callbackUrl'] as const).map((name) => ({
            key: name,
            label: <Typography.Text code>{name}</Typography.Text>,
            children: t(`jobs.docs.params.${name}`),
          }))}
        />
        <Tabs
          activeKey={sample}
          onChange={(key) => setSample(key as JobSample)}
          items={JOB_SAMPLES.map((key) => ({
            key,
            label: t(`jobs.docs.samples.${key}`),
            children: (
              <>
                <Typography.Text code>{METHODS[key]}</Typography.Text>
                <div style={{ marginTop: 8 }}>
                  <Code code={jobSample(key, origin, APIKEY_PLACEHOLDER)} testId={`docs-jobs-${key}`} />
                </div>
              </>
            ),
          }))}
        />
        <Typography.Text strong>{t('jobs.docs.submitAnswer')}</Typography.Text>
        <div style={{ marginTop: 8 }}>
          <Code code={SUBMIT_RESPONSE} />
        </div>
        <Typography.Text strong>{t('jobs.docs.statusAnswer')}</Typography.Text>
        <div style={{ marginTop: 8 }}>
          <Code code={STATUS_RESPONSE} />
        </div>
        <Typography.Paragraph type="secondary">{t('jobs.docs.limits')}</Typography.Paragraph>
      </Card>
      <Card title={t('jobs.docs.callbacksTitle')} style={{ marginBottom: 16 }} data-testid="docs-callbacks">
        <Typography.Paragraph>{t('jobs.docs.callbacksIntro')}</Typography.Paragraph>
        <Code code={CALLBACK_REQUEST} />
        <Typography.Paragraph>{t('jobs.docs.verifyIntro')}</Typography.Paragraph>
        <Tabs
          activeKey={language}
          onChange={(key) => setLanguage(key as VerifyLanguage)}
          items={(['python', 'java'] as const).map((key) => ({
            key,
            label: key === 'python' ? 'Python' : 'Java',
            children: <Code code={VERIFY_SAMPLES[key]} testId={`docs-verify-${key}`} />,
          }))}
        />
        <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
          {t('jobs.docs.retries')}
        </Typography.Paragraph>
      </Card>
    </>
  );
}
