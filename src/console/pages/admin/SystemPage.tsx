import { useMemo } from 'react';
import { Badge, Card, Col, Flex, Row, Statistic, Table, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useIsPhone } from '../../app/media';
import dayjs from 'dayjs';
import { api } from '../../api/client';
import type { SystemView } from '../../api/types';
import { EChart, type ChartOption } from '../../components/EChart';
import { EmptyState, ErrorAlert, LoadFailed, Loading } from '../../components/feedback';
import { PageTitle } from '../../components/PageTitle';
import { codeName } from '../../i18n/words';
import { codeColor, sortCodes } from '../../lib/codes';
import { count } from '../../lib/format';

/** The live charts ask this often; the server keeps second-by-second counts for the last 300 s. */
const POLL_MS = 2000;

function ms(value: number | null): string {
  return value === null ? '—' : `${value} ms`;
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
    const requests: ChartOption = {
      tooltip: { trigger: 'axis' },
      grid,
      xAxis: axis,
      yAxis: { type: 'value', minInterval: 1, name: t('system.perSecond') },
      series: [
        {
          type: 'line',
          name: t('system.requests'),
          showSymbol: false,
          areaStyle: { opacity: 0.15 },
          itemStyle: { color: '#1668dc' },
          data: seconds.map((s) => s.requests),
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
      series: [
        {
          type: 'line',
          name: 'p50',
          showSymbol: false,
          connectNulls: false,
          itemStyle: { color: '#52c41a' },
          data: seconds.map((s) => s.p50Ms),
        },
        {
          type: 'line',
          name: 'p99',
          showSymbol: false,
          connectNulls: false,
          itemStyle: { color: '#fa541c' },
          data: seconds.map((s) => s.p99Ms),
        },
      ],
    };
    const codes = sortCodes(Object.keys(data.traffic.codes));
    const pie: ChartOption = {
      tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
      legend: { bottom: 0, type: 'scroll' },
      series: [
        {
          type: 'pie',
          radius: ['40%', '68%'],
          center: ['50%', '44%'],
          // Outside labels do not fit a phone's width; the legend and tooltip name the slices there.
          label: { show: !phone, formatter: '{b}\n{d}%' },
          data: codes.map((code) => ({
            name: `${code} · ${codeName(t, code)}`,
            value: data.traffic.codes[code],
            itemStyle: { color: codeColor(code) },
          })),
        },
      ],
    };
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
      {system.isError ? (
        <div style={{ marginBottom: 16 }}>
          <ErrorAlert error={system.error} />
        </div>
      ) : null}
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
        <Col xs={24} xl={12}>
          <Card title={t('system.requestsChart')}>
            <EChart
              option={charts.requests}
              height={260}
              live
              testId="system-requests-chart"
              ariaLabel={t('system.requestsChart')}
            />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title={t('system.latencyChart')}>
            <EChart
              option={charts.latency}
              height={260}
              live
              testId="system-latency-chart"
              ariaLabel={t('system.latencyChart')}
            />
          </Card>
        </Col>
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
