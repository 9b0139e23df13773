import { useMemo } from 'react';
import { Badge, Card, Col, Flex, Row, Statistic, Table, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useIsPhone } from '../../app/media';
import dayjs from 'dayjs';
import { api } from '../../api/client';
import type { SystemView, TrafficSecond } from '../../../wire/console-api';
import { EChart, type ChartOption } from '../../components/EChart';
import { EmptyState, ErrorBlock, LoadFailed, Loading } from '../../components/feedback';
import { PageTitle } from '../../components/PageTitle';
import { codeName } from '../../i18n/words';
import { codeColor, sortCodes } from '../../lib/codes';
import { ringOption } from '../../lib/charts';
import { count } from '../../lib/format';

/** The live charts ask this often; the server keeps second-by-second counts for the last 300 s. */
const POLL_MS = 2000;

function ms(value: number | null): string {
  return value === null ? '—' : `${value} ms`;
}

function LiveChartCard({ title, option, testId }: { title: string; option: ChartOption; testId: string }) {
  return (
    <Col xs={24} xl={12}>
      <Card title={title}>
        <EChart option={option} height={260} live testId={testId} ariaLabel={title} />
      </Card>
    </Col>
  );
}

export function SystemPage() {
  const { t, i18n } = useTranslation();
  const phone = useIsPhone();
  const system = useQuery({
    queryKey: ['admin', 'system'],
    queryFn: () => api.get<SystemView>('/admin/system'),
    refetchInterval: POLL_MS,
    refetchIntervalInBackground: false,
    staleTime: 0,
  });
  const data = system.data;

  const charts = useMemo(() => {
    if (!data) return null;
    const seconds = data.traffic.seconds;
    const labels = seconds.map((s) => dayjs(s.second * 1000).format('HH:mm:ss'));
    const axis = {
      type: 'category' as const,
      data: labels,
      boundaryGap: false,
      axisLabel: { hideOverlap: true },
    };
    const grid = { left: 8, right: 28, top: 28, bottom: 8, containLabel: true };
    // A point a second; a second with nothing to show leaves a gap.
    const line = (name: string, color: string, value: (second: TrafficSecond) => number | null) => ({
      type: 'line' as const,
      name,
      showSymbol: false,
      connectNulls: false,
      itemStyle: { color },
      data: seconds.map(value),
    });
    const requests: ChartOption = {
      tooltip: { trigger: 'axis' },
      grid,
      xAxis: axis,
      yAxis: { type: 'value', minInterval: 1, name: t('system.perSecond') },
      series: [
        {
          ...line(t('system.requests'), '#1668dc', (s) => s.requests),
          areaStyle: { opacity: 0.15 },
        },
      ],
    };
    const latency: ChartOption = {
      tooltip: {
        trigger: 'axis',
        valueFormatter: (value) => (value === null || value === undefined ? '—' : `${String(value)} ms`),
      },
      legend: { top: 0, right: 0 },
      grid: { ...grid, top: 36 },
      xAxis: axis,
      yAxis: { type: 'value', name: 'ms' },
      series: [line('p50', '#52c41a', (s) => s.p50Ms), line('p99', '#fa541c', (s) => s.p99Ms)],
    };
    const codes = sortCodes(Object.keys(data.traffic.codes));
    const pie = ringOption(
      codes.map((code) => ({
        name: `${code} · ${codeName(t, code)}`,
        value: data.traffic.codes[code],
        color: codeColor(code),
      })),
      { phone, centerY: '44%' },
    );
    return { requests, latency, pie, hasCodes: codes.length > 0 };
    // i18n.language: series names are words of the current language.
  }, [data, t, i18n.language, phone]);

  if (system.isPending) return <Loading />;
  if (system.isError && !data)
    return <LoadFailed error={system.error} onRetry={() => void system.refetch()} />;
  if (!data || !charts) return null;
  const span = data.traffic.seconds.length || 1;

  return (
    <>
      <PageTitle
        title={t('system.title')}
        subtitle={t('system.subtitle')}
        extra={
          <Badge
            status={system.isError ? 'error' : 'processing'}
            text={system.isError ? t('system.paused') : t('system.live', { seconds: POLL_MS / 1000 })}
          />
        }
      />
      <ErrorBlock error={system.error} />
      <Row gutter={[16, 16]}>
        {[
          { key: 'rps', title: t('system.avgRps'), value: (data.traffic.requests / span).toFixed(1) },
          {
            key: 'requests',
            title: t('system.windowRequests', { minutes: Math.round(span / 60) }),
            value: count(data.traffic.requests),
          },
          { key: 'p50', title: 'p50', value: ms(data.traffic.p50Ms) },
          { key: 'p90', title: 'p90', value: ms(data.traffic.p90Ms) },
          { key: 'p99', title: 'p99', value: ms(data.traffic.p99Ms) },
          { key: 'accounts', title: t('system.accounts'), value: count(data.totals.accounts) },
        ].map((item) => (
          <Col key={item.key} xs={12} md={8} xl={4}>
            <Card size="small" style={{ height: '100%' }}>
              <Statistic title={item.title} value={item.value} />
            </Card>
          </Col>
        ))}
      </Row>
      <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
        <LiveChartCard
          title={t('system.requestsChart')}
          option={charts.requests}
          testId="system-requests-chart"
        />
        <LiveChartCard
          title={t('system.latencyChart')}
          option={charts.latency}
          testId="system-latency-chart"
        />
      </Row>
      <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
        <Col xs={24} lg={10}>
          <Card title={t('system.codesChart')} style={{ height: '100%' }}>
            {charts.hasCodes ? (
              <EChart option={charts.pie} height={300} live ariaLabel={t('system.codesChart')} />
            ) : (
              <EmptyState text={t('system.noTraffic')} />
            )}
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <Card title={t('system.topAccounts')} style={{ height: '100%' }}>
            <Table
              data-testid="system-top-accounts"
              size="small"
              rowKey="accountId"
              pagination={false}
              dataSource={data.topAccounts}
              locale={{ emptyText: <EmptyState text={t('system.noTopAccounts')} /> }}
              columns={[
                { title: '#', key: 'rank', width: 50, render: (_, __, index) => index + 1 },
                { title: t('accounts.fields.name'), dataIndex: 'name' },
                {
                  title: t('system.queriesToday'),
                  dataIndex: 'queries',
                  align: 'right',
                  render: (value: number) => count(value),
                },
              ]}
            />
          </Card>
        </Col>
      </Row>
      <Card style={{ marginTop: 16 }} size="small">
        <Flex gap={24} wrap>
          <Typography.Text>
            {t('system.totalPorted')}: <strong>{count(data.totals.ported)}</strong>
          </Typography.Text>
          <Typography.Text>
            {t('system.totalSegments')}: <strong>{count(data.totals.segments)}</strong>
          </Typography.Text>
        </Flex>
      </Card>
    </>
  );
}
