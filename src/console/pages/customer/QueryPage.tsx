import { useState } from 'react';
import { Alert, Button, Card, Col, Descriptions, Form, Input, Row, Statistic, Tag, Typography } from 'antd';
import { SearchOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { api } from '../../api/client';
import type { QueryAnswer, QueryResult } from '../../../wire/console-api';
import { ErrorAlert, EmptyState } from '../../components/feedback';
import { PageTitle } from '../../components/PageTitle';
import { dateTime } from '../../lib/format';
import { carrierName, codeExplanation, codeReason, resText } from '../../i18n/words';
import { OVERVIEW_KEY, useOverview } from './overview';

const RES_COLORS: Record<string, string> = { '0': 'green', '1': 'orange', '3': 'blue', '4': 'purple' };

function resultItems(t: TFunction, result: QueryResult) {
  const ported = result.res === '1';
  return [
    { key: 'mobile', label: t('query.fields.mobile'), children: result.Mobile },
    { key: 'area', label: t('query.fields.area'), children: result.Area || t('common.none') },
    { key: 'initIsp', label: t('query.fields.initIsp'), children: carrierName(t, result.Init_isp) },
    {
      key: 'nowIsp',
      label: t('query.fields.nowIsp'),
      children: <Tag color={ported ? 'orange' : 'default'}>{carrierName(t, result.Now_isp)}</Tag>,
    },
    {
      key: 'res',
      label: t('query.fields.res'),
      children: (
        <>
          <Tag color={RES_COLORS[result.res] ?? 'default'}>{resText(t, result.res)}</Tag>
          <Typography.Text type="secondary">res = {result.res}</Typography.Text>
        </>
      ),
    },
    { key: 'portedAt', label: t('query.fields.portedAt'), children: result.portedAt ?? t('common.none') },
    { key: 'province', label: t('query.fields.province'), children: result.province || t('common.none') },
    { key: 'city', label: t('query.fields.city'), children: result.city || t('common.none') },
    { key: 'zip', label: t('query.fields.zip'), children: result.zip || t('common.none') },
    { key: 'areaCode', label: t('query.fields.areaCode'), children: result.areaCode || t('common.none') },
    { key: 'type', label: t('query.fields.type'), children: carrierName(t, result.type) },
    {
      key: 'virtual',
      label: t('query.fields.virtual'),
      children:
        result.virtual === undefined ? t('common.none') : result.virtual ? t('common.yes') : t('common.no'),
    },
    {
      key: 'segmentsVersion',
      label: t('query.fields.segmentsVersion'),
      children: result.dataVersion?.segments || t('common.none'),
    },
    {
      key: 'portedVersion',
      label: t('query.fields.portedVersion'),
      children: result.dataVersion?.ported || t('query.noPortedData'),
    },
    { key: 'source', label: t('query.fields.source'), children: result.source ?? t('common.none') },
    {
      key: 'checkedAt',
      label: t('query.fields.checkedAt'),
      children: result.checkedAt ? dateTime(result.checkedAt) : t('common.none'),
    },
  ];
}

function AnswerCard({ answer }: { answer: QueryAnswer }) {
  const { t } = useTranslation();
  if (answer.code !== 0 || !answer.result) {
    return (
      <Alert
        type="warning"
        showIcon
        data-testid="query-error"
        title={t('query.failed', { code: answer.code, reason: codeReason(t, answer.code) })}
        description={`${codeExplanation(t, answer.code)} ${t('query.notCharged')}`}
      />
    );
  }
  return (
    <Card
      data-testid="query-result"
      title={t('query.resultTitle', { mobile: answer.result.Mobile })}
      extra={<Tag color="success">{t('query.success')}</Tag>}
    >
      <Descriptions
        bordered
        size="small"
        column={{ xs: 1, sm: 1, md: 2, lg: 2, xl: 3, xxl: 3 }}
        items={resultItems(t, answer.result)}
      />
      <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>
        {t('query.chargedOne')}
      </Typography.Paragraph>
    </Card>
  );
}

export function QueryPage() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const overview = useOverview();
  const [mobile, setMobile] = useState('');
  const query = useMutation({
    mutationFn: (input: string) => api.post<QueryAnswer>('/me/query', { mobile: input }),
    onSettled: () => client.invalidateQueries({ queryKey: OVERVIEW_KEY }),
  });

  return (
    <>
      <PageTitle title={t('query.title')} subtitle={t('query.subtitle')} />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={16}>
          <Card>
            <Form layout="vertical" onFinish={() => query.mutate(mobile.trim())}>
              <Form.Item label={t('query.label')} extra={t('query.hint')} style={{ marginBottom: 0 }}>
                <div style={{ display: 'flex', gap: 8 }}>
                  <Input
                    size="large"
                    value={mobile}
                    onChange={(event) => setMobile(event.target.value)}
                    placeholder={t('query.placeholder')}
                    inputMode="tel"
                    maxLength={32}
                    allowClear
                    data-testid="query-input"
                    style={{ flex: 1, minWidth: 0 }}
                  />
                  <Button
                    size="large"
                    type="primary"
                    htmlType="submit"
                    icon={<SearchOutlined />}
                    loading={query.isPending}
                    disabled={mobile.trim() === ''}
                    data-testid="query-submit"
                  >
                    {t('query.submit')}
                  </Button>
                </div>
              </Form.Item>
            </Form>
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card style={{ height: '100%' }}>
            <Statistic
              title={t('query.balanceNow')}
              loading={overview.isPending}
              value={overview.data?.account.balance ?? 0}
              formatter={() => (
                <span className="stat-digits" data-testid="query-balance">
                  {overview.data?.account.balance ?? '—'}
                </span>
              )}
              suffix={
                overview.data ? (
                  <Typography.Text type="secondary">{t('common.queriesUnit')}</Typography.Text>
                ) : null
              }
            />
          </Card>
        </Col>
      </Row>
      <div style={{ marginTop: 16 }}>
        {query.isError ? (
          <ErrorAlert error={query.error} testId="query-error" />
        ) : query.data ? (
          <AnswerCard answer={query.data} />
        ) : (
          <Card>
            <EmptyState text={t('query.empty')} />
          </Card>
        )}
      </div>
    </>
  );
}
