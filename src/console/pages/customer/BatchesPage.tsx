import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { Button, Card, Progress, Tag, Typography, Upload, type UploadProps } from 'antd';
import { InboxOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError, api, apiUrl, csrfHeaders, errorFromBody, noteError } from '../../api/client';
import type { BatchView } from '../../../wire/console-api';
import { ErrorBlock } from '../../components/feedback';
import { PagedTable, usePagedList } from '../../components/PagedTable';
import { PageTitle } from '../../components/PageTitle';
import { count, dateTime } from '../../lib/format';
import { BatchPreviewCard, BatchStatusTag, isActive } from './batch-parts';

export const BATCHES_KEY = ['me', 'batches'] as const;

/** The limits the server enforces (contract: ≤ 64 MB, ≤ 1,000,000 numbers); checked here to fail fast. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;
const ACCEPTED = ['txt', 'csv', 'xlsx'];

function History() {
  const { t } = useTranslation();
  const history = usePagedList<BatchView>({
    key: BATCHES_KEY,
    path: '/me/batches',
    params: { limit: 20 },
    poll: { ms: 3000, while: (row) => isActive(row.status) },
  });
  return (
    <Card title={t('batches.history.title')} style={{ marginTop: 16 }}>
      <PagedTable
        list={history}
        data-testid="batch-history"
        scroll={{ x: 860 }}
        empty={t('batches.history.empty')}
        columns={[
          { title: '#', dataIndex: 'id', width: 70 },
          {
            title: t('batches.history.file'),
            dataIndex: 'fileName',
            ellipsis: true,
            render: (name: string, row) => (
              <>
                <Link to={`/batches/${row.id}`}>{name}</Link>
                {row.origin === 'api' ? (
                  <Tag color="purple" style={{ marginLeft: 8 }} data-testid={`batch-api-${row.id}`}>
                    API
                  </Tag>
                ) : null}
              </>
            ),
          },
          {
            title: t('batches.history.status'),
            dataIndex: 'status',
            width: 110,
            render: (_, row) => <BatchStatusTag status={row.status} />,
          },
          {
            title: t('batches.history.total'),
            dataIndex: 'total',
            width: 110,
            render: (v: number) => count(v),
          },
          {
            title: t('batches.history.progress'),
            dataIndex: 'progress',
            width: 160,
            render: (value: number) => <Progress percent={Math.floor(value * 100)} size="small" />,
          },
          {
            title: t('batches.history.charged'),
            dataIndex: 'charged',
            width: 110,
            render: (v: number) => count(v),
          },
          { title: t('batches.history.created'), dataIndex: 'createdAt', width: 180, render: dateTime },
          {
            title: t('common.actions'),
            key: 'open',
            width: 90,
            fixed: 'right',
            render: (_, row) => <Link to={`/batches/${row.id}`}>{t('common.open')}</Link>,
          },
        ]}
      />
    </Card>
  );
}

export function BatchesPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [draft, setDraft] = useState<BatchView | null>(null);
  const [uploadError, setUploadError] = useState<unknown>(null);
  const [uploading, setUploading] = useState<number | null>(null);

  const start = useMutation({
    mutationFn: (id: number) => api.post<BatchView>(`/me/batches/${id}/start`),
    onSuccess: (job) => {
      void client.invalidateQueries({ queryKey: BATCHES_KEY });
      navigate(`/batches/${job.id}`);
    },
  });
  const discard = useMutation({
    mutationFn: (id: number) => api.post<BatchView>(`/me/batches/${id}/cancel`),
    onSettled: () => {
      setDraft(null);
      void client.invalidateQueries({ queryKey: BATCHES_KEY });
    },
  });

  const onChange: UploadProps['onChange'] = ({ file }) => {
    if (file.status === 'uploading') {
      setUploading(file.percent ?? 0);
    } else if (file.status === 'done') {
      setUploading(null);
      setDraft(file.response as BatchView);
      void client.invalidateQueries({ queryKey: BATCHES_KEY });
    } else if (file.status === 'error') {
      setUploading(null);
      const status = (file.error as { status?: number } | undefined)?.status ?? 0;
      const error =
        status === 0 ? new ApiError(0, 'network', 'upload failed') : errorFromBody(status, file.response);
      noteError(error, '/me/batches');
      setUploadError(error);
    }
  };

  const beforeUpload: UploadProps['beforeUpload'] = (file) => {
    setUploadError(null);
    setDraft(null);
    start.reset();
    const extension = file.name.split('.').pop()?.toLowerCase() ?? '';
    if (!ACCEPTED.includes(extension)) {
      setUploadError(new ApiError(400, 'invalid_file', t('batches.wrongType', { name: file.name })));
      return Upload.LIST_IGNORE;
    }
    if (file.size > MAX_FILE_BYTES) {
      setUploadError(new ApiError(413, 'payload_too_large', file.name));
      return Upload.LIST_IGNORE;
    }
    return true;
  };

  return (
    <>
      <PageTitle title={t('batches.title')} subtitle={t('batches.subtitle')} />
      {draft?.preview ? (
        <BatchPreviewCard
          batch={draft}
          preview={draft.preview}
          onStart={() => start.mutate(draft.id)}
          onDiscard={() => discard.mutate(draft.id)}
          starting={start.isPending}
          discarding={discard.isPending}
        />
      ) : (
        <Card>
          <div data-testid="batch-upload">
            <Upload.Dragger
              name="file"
              action={apiUrl('/me/batches')}
              withCredentials
              headers={csrfHeaders()}
              accept=".txt,.csv,.xlsx"
              multiple={false}
              maxCount={1}
              showUploadList={false}
              beforeUpload={beforeUpload}
              onChange={onChange}
              disabled={uploading !== null}
              data-testid="batch-upload-input"
            >
              <p className="ant-upload-drag-icon">
                <InboxOutlined />
              </p>
              <p className="ant-upload-text">{t('batches.uploadText')}</p>
              <p className="ant-upload-hint" style={{ padding: '0 12px' }}>
                {t('batches.uploadHint')}
              </p>
            </Upload.Dragger>
          </div>
          {uploading !== null ? (
            <div style={{ marginTop: 16 }}>
              <Typography.Text>{t('batches.uploading')}</Typography.Text>
              <Progress percent={Math.floor(uploading)} status="active" />
            </div>
          ) : null}
          <ErrorBlock error={uploadError} above testId="batch-upload-error" />
          <Typography.Paragraph type="secondary" style={{ marginTop: 16, marginBottom: 0 }}>
            {t('batches.formatNote')}
          </Typography.Paragraph>
        </Card>
      )}
      <ErrorBlock error={start.error} above />
      {draft && !draft.preview ? (
        <Card style={{ marginTop: 16 }}>
          <Typography.Text>
            {t('batches.uploadedNoPreview')} <Link to={`/batches/${draft.id}`}>{t('common.open')}</Link>
          </Typography.Text>
        </Card>
      ) : null}
      {draft ? (
        <div style={{ marginTop: 12 }}>
          <Button type="link" onClick={() => setDraft(null)} style={{ paddingInline: 0 }}>
            {t('batches.uploadAnother')}
          </Button>
        </div>
      ) : null}
      <History />
    </>
  );
}
