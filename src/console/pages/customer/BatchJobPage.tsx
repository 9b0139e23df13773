import { Link, useNavigate, useParams } from 'react-router';
import { Alert, Button, Card, Descriptions, Flex, Popconfirm, Progress, Result, Typography } from 'antd';
import { ArrowLeftOutlined, DownloadOutlined, StopOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError, api, apiUrl } from '../../api/client';
import type { BatchView } from '../../../wire/console-api';
import { ErrorAlert, ErrorBlock, LoadFailed, Loading } from '../../components/feedback';
import { PageTitle } from '../../components/PageTitle';
import { count, dateTime } from '../../lib/format';
import { OVERVIEW_KEY } from './overview';
import { BatchPreviewCard, BatchStatusTag, isActive, stopReasonText } from './batch-parts';
import { BATCHES_KEY } from './BatchesPage';
import { JobCallbackCard } from './JobCallbackCard';

/** While a job runs its page asks every second: the runner commits a chunk about that often. */
const POLL_MS = 1000;

function Back() {
  const { t } = useTranslation();
  return (
    <Link to="/batches">
      <Button icon={<ArrowLeftOutlined />}>{t('batches.job.back')}</Button>
    </Link>
  );
}

/** A download of the results so far in one format; off until a number has been answered. */
function ResultsButton({
  job,
  format,
  primary = false,
  label,
  testId,
}: {
  job: BatchView;
  format: 'csv' | 'xlsx';
  primary?: boolean;
  label: string;
  testId: string;
}) {
  const downloadable = job.processed > 0;
  return (
    <Button
      type={primary ? 'primary' : undefined}
      icon={<DownloadOutlined />}
      href={downloadable ? apiUrl(`/me/batches/${job.id}/results.${format}`) : undefined}
      disabled={!downloadable}
      data-testid={testId}
    >
      {label}
    </Button>
  );
}

export function BatchJobPage() {
  const { t } = useTranslation();
  const { id } = useParams();
  const navigate = useNavigate();
  const client = useQueryClient();
  const key = [...BATCHES_KEY, 'job', id] as const;
  const job = useQuery({
    queryKey: key,
    queryFn: () => api.get<BatchView>(`/me/batches/${encodeURIComponent(id ?? '')}`),
    refetchInterval: (query) => (query.state.data && isActive(query.state.data.status) ? POLL_MS : false),
    staleTime: 0,
  });
  const update = (view: BatchView) => {
    client.setQueryData(key, view);
    void client.invalidateQueries({ queryKey: BATCHES_KEY, exact: false, refetchType: 'none' });
    void client.invalidateQueries({ queryKey: OVERVIEW_KEY });
  };
  const start = useMutation({
    mutationFn: () => api.post<BatchView>(`/me/batches/${id}/start`),
    onSuccess: update,
  });
  const cancel = useMutation({
    mutationFn: () => api.post<BatchView>(`/me/batches/${id}/cancel`),
    onSuccess: update,
  });

  if (job.isPending) return <Loading />;
  if (job.isError) {
    if (job.error instanceof ApiError && job.error.code === 'not_found') {
      return (
        <Result
          status="404"
          title={t('batches.job.notFoundTitle')}
          subTitle={<span data-testid="batch-not-found">{t('batches.job.notFound')}</span>}
          extra={<Back />}
        />
      );
    }
    return <LoadFailed error={job.error} onRetry={() => void job.refetch()} />;
  }

  const view = job.data;
  const percentDone = Math.min(100, Math.floor(view.progress * 100));
  const finished = view.status === 'done' || view.status === 'stopped' || view.status === 'cancelled';
  const progressStatus = view.status === 'done' ? 'success' : isActive(view.status) ? 'active' : 'normal';
  // A stopped job is not a failure: what it answered is kept and can be downloaded.
  const progressColor = view.status === 'stopped' || view.status === 'cancelled' ? '#faad14' : undefined;

  return (
    <>
      <PageTitle
        title={t('batches.job.title', { id: view.id })}
        subtitle={view.origin === 'api' ? `${view.fileName} · ${t('jobs.viaApi')}` : view.fileName}
        extra={<Back />}
      />
      {view.status === 'draft' && view.preview ? (
        <BatchPreviewCard
          batch={view}
          preview={view.preview}
          onStart={() => start.mutate()}
          onDiscard={() => cancel.mutate(undefined, { onSuccess: () => navigate('/batches') })}
          starting={start.isPending}
          discarding={cancel.isPending}
        />
      ) : (
        <Card>
          <Flex align="center" gap={12} wrap style={{ marginBottom: 12 }}>
            <Typography.Text strong>{t('batches.job.status')}</Typography.Text>
            <BatchStatusTag status={view.status} testId="batch-status" />
            {isActive(view.status) ? (
              <Typography.Text type="secondary">{t('batches.job.live')}</Typography.Text>
            ) : null}
          </Flex>
          <Flex align="center" gap={12}>
            <div style={{ flex: 1, minWidth: 0 }}>
              <Progress
                data-testid="batch-progress"
                percent={percentDone}
                status={progressStatus}
                strokeColor={progressColor}
                showInfo={false}
                strokeWidth={14}
              />
            </div>
            <Typography.Text
              strong
              className="stat-digits"
              data-testid="batch-progress-text"
              style={{ minWidth: 48 }}
            >
              {percentDone}%
            </Typography.Text>
          </Flex>
          <Typography.Paragraph type="secondary" style={{ marginTop: 4 }}>
            {t('batches.job.processedOf', { processed: count(view.processed), total: count(view.total) })}
          </Typography.Paragraph>
          {view.status === 'stopped' || (view.status === 'cancelled' && view.stopReason) ? (
            <Alert
              type={view.status === 'stopped' ? 'warning' : 'info'}
              showIcon
              data-testid="batch-stop-reason"
              title={t('batches.job.stopReason', { reason: stopReasonText(t, view.stopReason) })}
              description={
                view.status === 'stopped' && view.stopReason?.toLowerCase().includes('balance')
                  ? t('batches.job.stoppedHelp')
                  : undefined
              }
              style={{ marginBottom: 16 }}
            />
          ) : null}
          <Flex gap={8} wrap style={{ marginBottom: 16 }}>
            <ResultsButton
              job={view}
              format="csv"
              primary
              label={t('batches.job.downloadCsv')}
              testId="batch-download-csv"
            />
            <ResultsButton
              job={view}
              format="xlsx"
              label={t('batches.job.downloadXlsx')}
              testId="batch-download-xlsx"
            />
            {!finished ? (
              <Popconfirm
                title={t('batches.job.cancelConfirm')}
                okText={t('common.yes')}
                cancelText={t('common.no')}
                onConfirm={() => cancel.mutate()}
              >
                <Button danger icon={<StopOutlined />} loading={cancel.isPending} data-testid="batch-cancel">
                  {t('batches.job.cancel')}
                </Button>
              </Popconfirm>
            ) : null}
          </Flex>
          {cancel.isError ? <ErrorAlert error={cancel.error} /> : null}
          <Descriptions
            bordered
            size="small"
            column={{ xs: 1, sm: 1, md: 2, lg: 3, xl: 3, xxl: 3 }}
            items={[
              { key: 'file', label: t('batches.job.file'), children: view.fileName },
              { key: 'total', label: t('batches.job.total'), children: count(view.total) },
              { key: 'invalid', label: t('batches.job.invalid'), children: count(view.invalid) },
              { key: 'duplicates', label: t('batches.job.duplicates'), children: count(view.duplicates) },
              { key: 'processed', label: t('batches.job.processed'), children: count(view.processed) },
              { key: 'charged', label: t('batches.job.charged'), children: count(view.charged) },
              { key: 'created', label: t('batches.job.created'), children: dateTime(view.createdAt) },
              { key: 'started', label: t('batches.job.started'), children: dateTime(view.startedAt) },
              { key: 'finished', label: t('batches.job.finished'), children: dateTime(view.finishedAt) },
            ]}
          />
          <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>
            {t('batches.job.resultsNote')}
          </Typography.Paragraph>
        </Card>
      )}
      <JobCallbackCard job={view} />
      <ErrorBlock error={start.error} above />
    </>
  );
}
