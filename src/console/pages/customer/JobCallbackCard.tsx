import { Card, Descriptions, Table, Tag, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { BatchCallbackAttemptView, BatchCallbackView, BatchView } from '../../../wire/console-api';
import { dateTime } from '../../lib/format';

const OUTCOME_COLORS = { delivered: 'green', failed: 'orange', refused: 'red' } as const;
const STATUS_COLORS = { delivered: 'green', pending: 'blue', failed: 'red' } as const;

/** An API job's callback: where it goes, how it stands, and every attempt, asked again while pending. */
export function JobCallbackCard({ job }: { job: BatchView }) {
  const { t } = useTranslation();
  const callback = useQuery({
    queryKey: ['me', 'batches', 'job', String(job.id), 'callback'],
    queryFn: () => api.get<{ callback: BatchCallbackView | null }>(`/me/batches/${job.id}/callback`),
    refetchInterval: (query) => {
      const view = query.state.data?.callback;
      return !view || view.status === 'pending' ? 3000 : false;
    },
  });
  if (!job.callbackUrl) return null;
  const view = callback.data?.callback ?? null;
  return (
    <Card title={t('jobs.callback.title')} style={{ marginTop: 16 }} data-testid="job-callback">
      <Descriptions
        size="small"
        column={1}
        items={[
          {
            key: 'url',
            label: t('jobs.callback.url'),
            children: <Typography.Text code>{job.callbackUrl}</Typography.Text>,
          },
          ...(job.requestId
            ? [
                {
                  key: 'request',
                  label: 'requestId',
                  children: <Typography.Text code>{job.requestId}</Typography.Text>,
                },
              ]
            : []),
          {
            key: 'status',
            label: t('jobs.callback.status'),
            children: view ? (
              <Tag color={STATUS_COLORS[view.status]} data-testid="job-callback-status">
                {t(`jobs.callback.statuses.${view.status}`)}
              </Tag>
            ) : (
              t('jobs.callback.waiting')
            ),
          },
          ...(view
            ? [
                {
                  key: 'event',
                  label: t('jobs.callback.event'),
                  children: <Typography.Text code>{view.eventId}</Typography.Text>,
                },
                ...(view.nextAttemptAt
                  ? [{ key: 'next', label: t('jobs.callback.next'), children: dateTime(view.nextAttemptAt) }]
                  : []),
              ]
            : []),
        ]}
      />
      {view && view.attempts.length > 0 ? (
        <Table<BatchCallbackAttemptView>
          size="small"
          rowKey="attempt"
          pagination={false}
          style={{ marginTop: 12 }}
          dataSource={view.attempts}
          columns={[
            { title: '#', dataIndex: 'attempt', width: 60 },
            { title: t('jobs.callback.at'), dataIndex: 'startedAt', width: 180, render: dateTime },
            {
              title: t('jobs.callback.outcome'),
              dataIndex: 'outcome',
              width: 110,
              render: (outcome: BatchCallbackAttemptView['outcome']) => (
                <Tag color={OUTCOME_COLORS[outcome]}>{t(`jobs.callback.outcomes.${outcome}`)}</Tag>
              ),
            },
            {
              title: 'HTTP',
              dataIndex: 'httpStatus',
              width: 70,
              render: (status: number | null) => status ?? '—',
            },
            {
              title: t('jobs.callback.error'),
              dataIndex: 'error',
              render: (error: string | null) => error ?? '',
            },
            { title: 'ms', dataIndex: 'durationMs', width: 70 },
          ]}
        />
      ) : null}
    </Card>
  );
}
