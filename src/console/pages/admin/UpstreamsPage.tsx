import { Alert, Badge, Card, Col, Row, Statistic, Table, Tag, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { UpstreamProviderView, UpstreamsView } from '../../../wire/console-api';
import { LoadFailed, Loading } from '../../components/feedback';
import { PageTitle } from '../../components/PageTitle';
import { count, dateTime, percent } from '../../lib/format';

const POLL_MS = 5000;

const STATE_COLORS: Record<string, string> = {
  closed: 'green',
  'half-open': 'orange',
  open: 'red',
  isolated: 'default',
};

function ms(value: number | null): string {
  return value === null ? '—' : `${Math.round(value)} ms`;
}

function yuan(fen: number): string {
  return `¥${(fen / 100).toFixed(2)}`;
}

/** System → Upstreams: each provider's breaker, speed, failures, spending and balance; the cache. */
export function UpstreamsPage() {
  const { t } = useTranslation();
  const query = useQuery({
    queryKey: ['admin', 'upstreams'],
    queryFn: () => api.get<UpstreamsView>('/admin/upstreams'),
    refetchInterval: POLL_MS,
    refetchIntervalInBackground: false,
    staleTime: 0,
  });
  const data = query.data;
  if (query.isPending) return <Loading />;
  if (query.isError && !data) return <LoadFailed error={query.error} onRetry={() => void query.refetch()} />;
  if (!data) return null;
  const total = data.sources.feed + data.sources.segment + data.sources.upstream + data.sources.cache;
  const share = (value: number) => (total === 0 ? null : value / total);

  return (
    <>
      <PageTitle
        title={t('upstreams.title')}
        subtitle={t('upstreams.subtitle')}
        extra={
          <Badge
            status={query.isError ? 'error' : 'processing'}
            text={t('upstreams.policy', { policy: data.policy })}
          />
        }
      />
      {data.configured ? null : (
        <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('upstreams.notConfigured')} />
      )}
      {data.alerts.slice(-3).map((alert) => (
        <Alert
          key={`${alert.provider}-${alert.at}`}
          type="error"
          showIcon
          style={{ marginBottom: 8 }}
          message={`${alert.provider}: ${t(`upstreams.reasons.${alert.reason}`, { defaultValue: alert.reason })}`}
          description={`${dateTime(alert.at)} · ${alert.message}`}
        />
      ))}
      <Row gutter={[16, 16]}>
        {[
          { key: 'hit', title: t('upstreams.hitRatio'), value: percent(data.cache.hitRatio) },
          { key: 'memory', title: t('upstreams.memoryEntries'), value: count(data.cache.memoryEntries) },
          { key: 'store', title: t('upstreams.storeEntries'), value: count(data.cache.storeEntries) },
          { key: 'saved', title: t('upstreams.saved'), value: yuan(data.cache.savedFen) },
        ].map((item) => (
          <Col key={item.key} xs={12} md={6}>
            <Card size="small" style={{ height: '100%' }}>
              <Statistic title={item.title} value={item.value} />
            </Card>
          </Col>
        ))}
      </Row>
      <Card title={t('upstreams.providers')} style={{ marginTop: 16 }}>
        <Table<UpstreamProviderView>
          data-testid="upstream-providers"
          size="small"
          rowKey="name"
          pagination={false}
          scroll={{ x: true }}
          dataSource={data.providers}
          columns={[
            {
              title: t('upstreams.name'),
              dataIndex: 'name',
              render: (name: string, row) => (
                <>
                  <strong>{name}</strong> <Typography.Text type="secondary">{row.kind}</Typography.Text>
                </>
              ),
            },
            {
              title: t('upstreams.state'),
              dataIndex: 'state',
              render: (state: string) => (
                <Tag color={STATE_COLORS[state]}>
                  {t(`upstreams.states.${state}`, { defaultValue: state })}
                </Tag>
              ),
            },
            {
              title: t('upstreams.callsPerSecond'),
              dataIndex: 'callsPerSecond',
              align: 'right',
              render: (v: number) => v.toFixed(1),
            },
            { title: 'p50', dataIndex: 'p50Ms', align: 'right', render: ms },
            { title: 'p99', dataIndex: 'p99Ms', align: 'right', render: ms },
            {
              title: t('upstreams.failures'),
              dataIndex: 'failures',
              render: (failures: Record<string, number>) =>
                Object.entries(failures)
                  .filter(([, n]) => n > 0)
                  .map(([reason, n]) => (
                    <Tag key={reason}>
                      {reason} {count(n)}
                    </Tag>
                  )),
            },
            { title: t('upstreams.costToday'), dataIndex: 'costTodayFen', align: 'right', render: yuan },
            {
              title: t('upstreams.balance'),
              dataIndex: 'balance',
              align: 'right',
              render: (balance: UpstreamProviderView['balance']) =>
                balance ? (
                  <Typography.Text type={balance.low ? 'danger' : undefined}>
                    {count(balance.balance)}
                  </Typography.Text>
                ) : (
                  '—'
                ),
            },
          ]}
        />
      </Card>
      <Card title={t('upstreams.sources')} style={{ marginTop: 16 }} size="small">
        <Row gutter={[16, 16]}>
          {(['upstream', 'cache', 'feed', 'segment'] as const).map((source) => (
            <Col key={source} xs={12} md={6}>
              <Statistic
                title={t(`upstreams.sourceNames.${source}`)}
                value={percent(share(data.sources[source]))}
                suffix={<Typography.Text type="secondary"> ({count(data.sources[source])})</Typography.Text>}
              />
            </Col>
          ))}
        </Row>
      </Card>
    </>
  );
}
