import { Alert, Button, Card, Col, Flex, Row, Statistic, Table, Tag, Typography } from 'antd';
import { PlayCircleOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { BatchPreview, BatchStatus, BatchView } from '../../../wire/console-api';
import { EmptyState } from '../../components/feedback';
import { count } from '../../lib/format';
import { reasonText } from '../../i18n/words';

const STATUS_COLORS: Record<BatchStatus, string> = {
  draft: 'default',
  queued: 'cyan',
  running: 'processing',
  done: 'success',
  stopped: 'warning',
  cancelled: 'default',
};

export function isActive(status: BatchStatus): boolean {
  return status === 'queued' || status === 'running';
}

export function BatchStatusTag({ status, testId }: { status: BatchStatus; testId?: string }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATUS_COLORS[status]} data-testid={testId} style={{ marginInlineEnd: 0 }}>
      {t(`batchStatus.${status}`)}
    </Tag>
  );
}

/** Stop reasons come as short English phrases from the runner; the known ones are said in words. */
export function stopReasonText(t: TFunction, reason: string | null): string {
  if (!reason) return t('common.none');
  const lower = reason.toLowerCase();
  if (lower.includes('balance')) return t('batches.stopReasons.balance');
  if (lower.includes('cancel')) return t('batches.stopReasons.cancelled');
  if (lower.includes('suspend')) return t('batches.stopReasons.suspended');
  if (lower.includes('not found')) return t('batches.stopReasons.accountGone');
  if (lower.startsWith('failed')) return t('batches.stopReasons.failed');
  return reason;
}

export function fileExtension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/** What an uploaded file holds and what starting it will cost, before anything is charged. */
export function BatchPreviewCard({
  batch,
  preview,
  onStart,
  onDiscard,
  starting,
  discarding,
}: {
  batch: BatchView;
  preview: BatchPreview;
  onStart: () => void;
  onDiscard: () => void;
  starting: boolean;
  discarding: boolean;
}) {
  const { t } = useTranslation();
  const stats: { key: string; title: string; value: number; testId?: string; danger?: boolean }[] = [
    { key: 'lines', title: t('batches.preview.lines'), value: preview.lines },
    { key: 'valid', title: t('batches.preview.valid'), value: preview.valid, testId: 'batch-preview-valid' },
    {
      key: 'invalid',
      title: t('batches.preview.invalid'),
      value: preview.invalid,
      danger: preview.invalid > 0,
    },
    { key: 'duplicates', title: t('batches.preview.duplicates'), value: preview.duplicates },
    { key: 'cost', title: t('batches.preview.cost'), value: preview.cost },
    {
      key: 'balance',
      title: t('batches.preview.balance'),
      value: preview.balance,
      danger: !preview.affordable,
    },
  ];
  return (
    <Card
      data-testid="batch-preview"
      title={t('batches.preview.title', { file: batch.fileName })}
      extra={<BatchStatusTag status={batch.status} />}
    >
      <Row gutter={[16, 16]}>
        {stats.map((stat) => (
          <Col key={stat.key} xs={12} sm={8} lg={4}>
            <Statistic
              title={stat.title}
              value={stat.value}
              formatter={() => (
                <span
                  className="stat-digits"
                  data-testid={stat.testId}
                  style={{ color: stat.danger ? '#d4380d' : undefined }}
                >
                  {stat.value}
                </span>
              )}
            />
          </Col>
        ))}
      </Row>
      <div style={{ marginTop: 16 }}>
        {preview.affordable ? (
          <Alert
            type="success"
            showIcon
            title={t('batches.preview.affordable', { cost: count(preview.cost) })}
          />
        ) : (
          <Alert
            type="warning"
            showIcon
            title={t('batches.preview.notAffordable', {
              balance: count(preview.balance),
              cost: count(preview.cost),
            })}
          />
        )}
      </div>
      <Typography.Title level={5} style={{ marginTop: 20 }}>
        {t('batches.preview.samples')}
      </Typography.Title>
      {preview.invalidSamples.length === 0 ? (
        <EmptyState text={t('batches.preview.noSamples')} />
      ) : (
        <Table
          size="small"
          rowKey={(row) => `${row.line}:${row.text}`}
          pagination={false}
          scroll={{ x: 480 }}
          dataSource={preview.invalidSamples}
          columns={[
            { title: t('batches.preview.sampleLine'), dataIndex: 'line', width: 90 },
            {
              title: t('batches.preview.sampleText'),
              dataIndex: 'text',
              render: (text: string) => (
                <Typography.Text code>{text || t('batches.preview.emptyLine')}</Typography.Text>
              ),
            },
            {
              title: t('batches.preview.sampleReason'),
              dataIndex: 'reason',
              render: (reason: string) => reasonText(t, reason),
            },
          ]}
        />
      )}
      <Flex gap={8} wrap style={{ marginTop: 20 }}>
        <Button
          type="primary"
          size="large"
          icon={<PlayCircleOutlined />}
          onClick={onStart}
          loading={starting}
          disabled={preview.valid === 0 && preview.invalid === 0}
          data-testid="batch-start"
        >
          {t('batches.preview.start', { count: preview.valid })}
        </Button>
        <Button size="large" onClick={onDiscard} loading={discarding} data-testid="batch-discard">
          {t('batches.preview.discard')}
        </Button>
      </Flex>
    </Card>
  );
}
