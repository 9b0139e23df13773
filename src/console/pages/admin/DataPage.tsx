import { useMemo, useRef, useState } from 'react';
import {
  Alert,
  Button,
  Card,
  Col,
  Descriptions,
  type DescriptionsProps,
  Flex,
  Modal,
  Progress,
  Radio,
  Row,
  Switch,
  Typography,
  Upload,
} from 'antd';
import { CloudUploadOutlined, FileTextOutlined, InboxOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useIsPhone } from '../../app/media';
import { api } from '../../api/client';
import type { DataImportView, DataStats } from '../../../wire/console-api';
import { uploadWithProgress } from '../../api/upload';
import { EChart, type ChartOption } from '../../components/EChart';
import { EmptyState, ErrorAlert, LoadFailed, Loading } from '../../components/feedback';
import { PagedTable, usePagedList } from '../../components/PagedTable';
import { PageTitle } from '../../components/PageTitle';
import { carrierName } from '../../i18n/words';
import { ringOption } from '../../lib/charts';
import { count, dateTime } from '../../lib/format';
import { ImportReport, ImportStatusTag } from './ImportReport';
import { SegmentsSection } from './SegmentsSection';

const DATA_KEY = ['admin', 'data'] as const;
const CARRIER_COLORS: Record<string, string> = {
  移动: '#1677ff',
  联通: '#fa541c',
  电信: '#13a8a8',
  广电: '#722ed1',
};
const POLL_MS = 1000;

/** Half a row on wide screens: a card of named facts. */
function FactsCard({ title, items }: { title: string; items: DescriptionsProps['items'] }) {
  return (
    <Col xs={24} lg={12}>
      <Card title={title} style={{ height: '100%' }}>
        <Descriptions size="small" column={1} items={items} />
      </Card>
    </Col>
  );
}

function StatsCards({ stats }: { stats: DataStats }) {
  const { t, i18n } = useTranslation();
  const phone = useIsPhone();
  // A carrier with no ported numbers would only draw a zero-width slice with an overlapping label.
  const carriers = Object.entries(stats.ported.byCarrier).filter(([, value]) => value > 0);
  const pie = useMemo(
    () =>
      ringOption(
        carriers.map(([name, value]) => ({ name: carrierName(t, name), value, color: CARRIER_COLORS[name] })),
        { phone, centerY: '45%' },
      ),
    [stats.ported.byCarrier, t, i18n.language, phone],
  );
  const bar = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: stats.ported.byMonth.map((row) => row.month) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        {
          type: 'bar',
          name: t('data.portedInMonth'),
          data: stats.ported.byMonth.map((row) => row.count),
          itemStyle: { color: '#1668dc' },
        },
      ],
    }),
    [stats.ported.byMonth, t],
  );
  return (
    <>
      <Row gutter={[16, 16]}>
        <FactsCard
          title={t('data.segmentsTitle')}
          items={[
            {
              key: 'version',
              label: t('data.version'),
              children: stats.segments.version || t('common.none'),
            },
            {
              key: 'count',
              label: t('data.segmentCount'),
              children: <span data-testid="data-segment-count">{count(stats.segments.count)}</span>,
            },
            { key: 'source', label: t('data.source'), children: stats.segments.source || t('common.none') },
          ]}
        />
        <FactsCard
          title={t('data.portedTitle')}
          items={[
            {
              key: 'version',
              label: t('data.version'),
              children: stats.ported.version || t('data.noPorted'),
            },
            {
              key: 'count',
              label: t('data.portedCount'),
              children: <span data-testid="data-ported-count">{count(stats.ported.count)}</span>,
            },
            {
              key: 'seq',
              label: t('data.lastSeq'),
              children: stats.ported.lastSeq === null ? t('common.none') : count(stats.ported.lastSeq),
            },
            {
              key: 'node',
              label: t('data.node'),
              children: <span data-testid="data-node">{stats.node}</span>,
            },
          ]}
        />
      </Row>
      <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
        <Col xs={24} lg={10}>
          <Card title={t('data.byCarrier')} style={{ height: '100%' }}>
            {carriers.length === 0 ? (
              <EmptyState text={t('data.noPortedChart')} />
            ) : (
              <>
                <EChart option={pie} height={280} ariaLabel={t('data.byCarrier')} />
                <Typography.Text type="secondary">
                  {carriers.map(([name, value]) => `${carrierName(t, name)} ${count(value)}`).join(' · ')}
                </Typography.Text>
              </>
            )}
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <Card title={t('data.byMonth')} style={{ height: '100%' }}>
            {stats.ported.byMonth.length === 0 ? (
              <EmptyState text={t('data.noMonthChart')} />
            ) : (
              <EChart option={bar} height={300} ariaLabel={t('data.byMonth')} />
            )}
          </Card>
        </Col>
      </Row>
    </>
  );
}

function ImportWatch({ id, onFinished }: { id: number; onFinished: () => void }) {
  const { t } = useTranslation();
  const finishedRef = useRef(false);
  const view = useQuery({
    queryKey: [...DATA_KEY, 'import', id],
    queryFn: async () => {
      const result = await api.get<DataImportView>(`/admin/data/imports/${id}`);
      if (result.status !== 'running' && !finishedRef.current) {
        finishedRef.current = true;
        onFinished();
      }
      return result;
    },
    refetchInterval: (query) =>
      query.state.data?.status === 'running' || !query.state.data ? POLL_MS : false,
    staleTime: 0,
  });
  if (view.isPending) return <Loading />;
  if (view.isError) return <ErrorAlert error={view.error} onRetry={() => void view.refetch()} />;
  const running = view.data.status === 'running';
  return (
    <div style={{ marginTop: 16 }}>
      <Flex align="center" gap={8} style={{ marginBottom: 8 }}>
        <Typography.Text strong>{t('data.import.applying')}</Typography.Text>
        <ImportStatusTag status={view.data.status} testId="data-import-status" />
      </Flex>
      {running ? (
        <Progress
          percent={view.data.progress === null ? 100 : Math.floor(view.data.progress * 100)}
          status="active"
          showInfo={view.data.progress !== null}
          data-testid="data-import-progress"
        />
      ) : null}
      {!running ? (
        <Alert
          style={{ marginBottom: 16 }}
          type={
            view.data.status === 'applied' ? 'success' : view.data.status === 'rejected' ? 'warning' : 'error'
          }
          showIcon
          title={t(`data.import.outcome.${view.data.status}`, { rows: count(view.data.rows) })}
        />
      ) : null}
      <ImportReport view={view.data} />
    </div>
  );
}

function UploadCard({ onFinished, shared }: { onFinished: () => void; shared: boolean | undefined }) {
  const { t } = useTranslation();
  const [kind, setKind] = useState<'full' | 'delta'>('delta');
  const [skipInvalid, setSkipInvalid] = useState(false);
  const [file, setFile] = useState<File | null>(null);
  const [sent, setSent] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [importId, setImportId] = useState<number | null>(null);

  const upload = () => {
    if (!file) return;
    setError(null);
    setImportId(null);
    setSent(0);
    const { done } = uploadWithProgress<DataImportView>(
      '/admin/data/ported',
      { kind, skipInvalid: String(skipInvalid) },
      file,
      setSent,
    );
    done.then(
      (view) => {
        setSent(null);
        setFile(null);
        setImportId(view.id);
      },
      (failure: unknown) => {
        setSent(null);
        setError(failure);
      },
    );
  };

  return (
    <Card title={t('data.uploadTitle')} style={{ marginTop: 16 }}>
      <Typography.Paragraph type="secondary" data-testid="data-upload-hint">
        {t('data.uploadHint')}
        {shared !== undefined && ` ${t(shared ? 'data.uploadShared' : 'data.uploadLocal')}`}
      </Typography.Paragraph>
      <Flex gap={24} wrap style={{ marginBottom: 16 }}>
        <div>
          <Typography.Text strong style={{ display: 'block', marginBottom: 6 }}>
            {t('data.kindLabel')}
          </Typography.Text>
          <Radio.Group
            value={kind}
            onChange={(event) => setKind(event.target.value)}
            optionType="button"
            buttonStyle="solid"
            options={[
              { value: 'delta', label: <span data-testid="data-kind-delta">{t('importKind.delta')}</span> },
              { value: 'full', label: <span data-testid="data-kind-full">{t('importKind.full')}</span> },
            ]}
          />
        </div>
        <div>
          <Typography.Text strong style={{ display: 'block', marginBottom: 6 }}>
            {t('data.skipInvalid')}
          </Typography.Text>
          <Flex align="center" gap={8}>
            <Switch checked={skipInvalid} onChange={setSkipInvalid} data-testid="data-skip-invalid" />
            <Typography.Text type="secondary">
              {skipInvalid ? t('data.skipInvalidOn') : t('data.skipInvalidOff')}
            </Typography.Text>
          </Flex>
        </div>
      </Flex>
      <Typography.Paragraph type="secondary" style={{ fontSize: 13 }}>
        {kind === 'full' ? t('data.fullFormat') : t('data.deltaFormat')}
      </Typography.Paragraph>
      <div data-testid="data-upload">
        <Upload.Dragger
          accept=".csv,.txt"
          multiple={false}
          showUploadList={false}
          disabled={sent !== null}
          beforeUpload={(chosen) => {
            setFile(chosen);
            setError(null);
            return false;
          }}
          data-testid="data-upload-input"
        >
          <p className="ant-upload-drag-icon">
            <InboxOutlined />
          </p>
          <p className="ant-upload-text">{t('data.dropText')}</p>
          <p className="ant-upload-hint">{t('data.dropHint')}</p>
        </Upload.Dragger>
      </div>
      {file ? (
        <Flex align="center" gap={8} wrap style={{ marginTop: 12 }}>
          <FileTextOutlined />
          <Typography.Text ellipsis style={{ maxWidth: 320 }}>
            {file.name}
          </Typography.Text>
          <Typography.Text type="secondary">
            {t('data.fileSize', { size: (file.size / 1024 / 1024).toFixed(2) })}
          </Typography.Text>
        </Flex>
      ) : null}
      {sent !== null ? (
        <div style={{ marginTop: 12 }}>
          <Typography.Text>{t('data.uploading')}</Typography.Text>
          <Progress percent={Math.floor(sent * 100)} status="active" data-testid="data-upload-progress" />
        </div>
      ) : null}
      {error ? (
        <div style={{ marginTop: 12 }}>
          <ErrorAlert error={error} testId="data-upload-error" />
        </div>
      ) : null}
      <Button
        type="primary"
        icon={<CloudUploadOutlined />}
        style={{ marginTop: 16 }}
        disabled={!file || sent !== null}
        loading={sent !== null}
        onClick={upload}
        data-testid="data-upload-submit"
      >
        {t('data.uploadSubmit', { kind: t(`importKind.${kind}`) })}
      </Button>
      {importId !== null ? <ImportWatch key={importId} id={importId} onFinished={onFinished} /> : null}
    </Card>
  );
}

function HistoryCard() {
  const { t } = useTranslation();
  const [shown, setShown] = useState<DataImportView | null>(null);
  const history = usePagedList<DataImportView>({
    key: [...DATA_KEY, 'imports'],
    path: '/admin/data/imports',
    poll: { ms: 2000, while: (row) => row.status === 'running' },
  });
  return (
    <Card title={t('data.historyTitle')} style={{ marginTop: 16 }}>
      <PagedTable
        list={history}
        data-testid="data-history"
        scroll={{ x: 1260 }}
        empty={t('data.historyEmpty')}
        columns={[
          { title: t('data.import.at'), dataIndex: 'at', width: 170, render: dateTime },
          {
            title: t('data.import.kind'),
            dataIndex: 'kind',
            width: 80,
            render: (kind: string) => t(`importKind.${kind}`),
          },
          { title: t('data.import.file'), dataIndex: 'fileName', ellipsis: true },
          {
            title: t('data.import.status'),
            dataIndex: 'status',
            width: 100,
            render: (_, row) => <ImportStatusTag status={row.status} />,
          },
          {
            title: t('data.import.rows'),
            dataIndex: 'rows',
            width: 110,
            align: 'right',
            render: (v: number) => count(v),
          },
          {
            title: t('data.import.origin'),
            dataIndex: 'origin',
            width: 100,
            render: (origin: string) => t(`importOrigin.${origin}`),
          },
          { title: t('data.import.operator'), dataIndex: 'operator', width: 140, ellipsis: true },
          { title: t('data.import.node'), dataIndex: 'node', width: 200, ellipsis: true },
          {
            title: t('common.actions'),
            key: 'report',
            width: 110,
            fixed: 'right',
            render: (_, row) => (
              <Button size="small" onClick={() => setShown(row)}>
                {t('data.viewReport')}
              </Button>
            ),
          },
        ]}
      />
      <Modal
        open={shown !== null}
        title={shown ? t('data.reportTitle', { id: shown.id }) : ''}
        onCancel={() => setShown(null)}
        footer={<Button onClick={() => setShown(null)}>{t('common.close')}</Button>}
        width={820}
      >
        {shown ? <ImportReport view={shown} /> : null}
      </Modal>
    </Card>
  );
}

export function DataPage() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const stats = useQuery({
    queryKey: [...DATA_KEY, 'stats'],
    queryFn: () => api.get<DataStats>('/admin/data'),
  });
  const refresh = () => void client.invalidateQueries({ queryKey: DATA_KEY });
  return (
    <>
      <PageTitle title={t('data.title')} subtitle={t('data.subtitle')} />
      {stats.isPending ? (
        <Loading />
      ) : stats.isError ? (
        <LoadFailed error={stats.error} onRetry={() => void stats.refetch()} />
      ) : (
        <StatsCards stats={stats.data} />
      )}
      <UploadCard onFinished={refresh} shared={stats.data?.shared} />
      <HistoryCard />
      <SegmentsSection />
    </>
  );
}
