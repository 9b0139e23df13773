/**
 * The segment half of the operator's data page: upload a segment file (checked and compared with
 * the data in use, then applied), versions with rollback, corrections, and coverage by block.
 */
import { useState } from 'react';
import {
  Alert,
  Button,
  Card,
  Descriptions,
  Flex,
  Form,
  Input,
  Popconfirm,
  Table,
  Tag,
  Typography,
  Upload,
} from 'antd';
import { InboxOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { uploadWithProgress } from '../../api/upload';
import { ErrorAlert, LoadFailed, Loading } from '../../components/feedback';
import { count, dateTime } from '../../lib/format';
import type {
  SegmentChangeCounts,
  SegmentChangeKind,
  SegmentOverrideInput,
  SegmentOverrideView,
  SegmentReportView,
  SegmentStateView,
  SegmentsView,
} from '../../../wire/console-api';

const SEGMENTS_KEY = ['admin', 'data', 'segments'] as const;
const KINDS: SegmentChangeKind[] = ['added', 'removed', 'moved', 'details', 'carrier', 'type'];

function stateText(state: SegmentStateView | undefined): string {
  return state ? `${state.area || '—'} · ${state.type}` : '—';
}

function CountsTable({ title, rows }: { title: string; rows: Record<string, SegmentChangeCounts> }) {
  const { t } = useTranslation();
  const data = Object.entries(rows).map(([name, counts]) => ({ name: name || '—', ...counts }));
  return (
    <Table
      size="small"
      scroll={{ x: 'max-content' }}
      pagination={data.length > 10 ? { pageSize: 10 } : false}
      rowKey="name"
      dataSource={data}
      columns={[
        { title, dataIndex: 'name' },
        ...KINDS.map((kind) => ({
          title: t(`segments.kind.${kind}`),
          dataIndex: kind,
          align: 'right' as const,
          render: (v: number) => count(v),
        })),
      ]}
    />
  );
}

function OverridesTable({ rows, actions }: { rows: SegmentOverrideView[]; actions?: boolean }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const remove = useMutation({
    mutationFn: (id: number) => api.del(`/admin/data/segments/overrides/${id}`),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['admin', 'data'] }),
  });
  return (
    <>
      {remove.isError ? <ErrorAlert error={remove.error} /> : null}
      <Table
        size="small"
        scroll={{ x: 'max-content' }}
        rowKey="id"
        pagination={false}
        dataSource={rows}
        locale={{ emptyText: t('segments.overridesEmpty') }}
        data-testid="segments-overrides"
        columns={[
          {
            title: t('segments.prefixes'),
            key: 'prefixes',
            render: (_, o) =>
              o.firstPrefix === o.lastPrefix ? o.firstPrefix : `${o.firstPrefix}–${o.lastPrefix}`,
          },
          { title: t('segments.province'), dataIndex: 'province' },
          { title: t('segments.city'), dataIndex: 'city' },
          { title: t('segments.zip'), dataIndex: 'zip' },
          { title: t('segments.areaCode'), dataIndex: 'areaCode' },
          { title: t('segments.type'), dataIndex: 'type' },
          { title: t('segments.note'), dataIndex: 'note', ellipsis: true },
          { title: t('segments.by'), dataIndex: 'createdBy' },
          ...(actions
            ? [
                {
                  title: t('common.actions'),
                  key: 'remove',
                  render: (_: unknown, o: SegmentOverrideView) => (
                    <Popconfirm title={t('segments.removeConfirm')} onConfirm={() => remove.mutate(o.id)}>
                      <Button size="small" danger>
                        {t('segments.remove')}
                      </Button>
                    </Popconfirm>
                  ),
                },
              ]
            : []),
        ]}
      />
    </>
  );
}

function Report({ report }: { report: SegmentReportView }) {
  const { t } = useTranslation();
  const examples = KINDS.flatMap((kind) => report.diff.examples[kind].map((change) => ({ kind, ...change })));
  return (
    <div style={{ marginTop: 16 }} data-testid="segments-report">
      <Alert
        type={report.applied ? 'success' : 'info'}
        showIcon
        title={report.applied ? t('segments.applied', { id: report.applied.id }) : t('segments.checked')}
        style={{ marginBottom: 12 }}
      />
      <Descriptions
        size="small"
        column={{ xs: 1, md: 2 }}
        title={t('segments.reportTitle', { file: report.fileName })}
        items={[
          { key: 'v', label: t('segments.fileVersion'), children: report.dataVersion },
          { key: 'n', label: t('segments.segmentCount'), children: count(report.segments) },
          {
            key: 'was',
            label: t('segments.wasVersion'),
            children: `${report.diff.before.version} · ${count(report.diff.before.size)}`,
          },
          {
            key: 'odd',
            label: t('segments.oddRows'),
            children: report.oddRows.total === 0 ? t('segments.none') : report.oddRows.summary.join('; '),
          },
          ...KINDS.map((kind) => ({
            key: kind,
            label: t(`segments.kind.${kind}`),
            children: <span data-testid={`segments-count-${kind}`}>{count(report.diff.counts[kind])}</span>,
          })),
        ]}
      />
      <Typography.Title level={5}>{t('segments.byCarrier')}</Typography.Title>
      <CountsTable title={t('segments.carriers')} rows={report.diff.byCarrier} />
      <Typography.Title level={5}>{t('segments.byProvince')}</Typography.Title>
      <CountsTable title={t('segments.province')} rows={report.diff.byProvince} />
      <Typography.Title level={5}>{t('segments.examples')}</Typography.Title>
      <Table
        size="small"
        scroll={{ x: 'max-content' }}
        pagination={false}
        rowKey={(row) => `${row.kind}-${row.prefix}`}
        dataSource={examples}
        columns={[
          {
            title: '',
            dataIndex: 'kind',
            render: (kind: SegmentChangeKind) => <Tag>{t(`segments.kind.${kind}`)}</Tag>,
          },
          { title: t('segments.prefix'), dataIndex: 'prefix' },
          { title: t('segments.before'), key: 'before', render: (_, row) => stateText(row.before) },
          { title: t('segments.after'), key: 'after', render: (_, row) => stateText(row.after) },
        ]}
      />
      {report.overridesNowAgreeing.length > 0 ? (
        <>
          <Typography.Title level={5}>{t('segments.agreeing')}</Typography.Title>
          <OverridesTable rows={report.overridesNowAgreeing} />
        </>
      ) : null}
    </div>
  );
}

function UploadCard() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [report, setReport] = useState<SegmentReportView | null>(null);
  const send = (apply: boolean) => {
    if (!file) return;
    setBusy(true);
    setError(null);
    uploadWithProgress<SegmentReportView>(
      '/admin/data/segments',
      { apply: String(apply) },
      file,
      () => {},
    ).done.then(
      (answer) => {
        setBusy(false);
        setReport(answer);
        if (apply) void client.invalidateQueries({ queryKey: ['admin', 'data'] });
      },
      (failure: unknown) => {
        setBusy(false);
        setError(failure);
      },
    );
  };
  return (
    <Card title={t('segments.uploadTitle')} style={{ marginTop: 16 }}>
      <Typography.Paragraph type="secondary">{t('segments.uploadHint')}</Typography.Paragraph>
      <div data-testid="segments-upload">
        <Upload.Dragger
          accept=".dat,.csv,.txt"
          multiple={false}
          showUploadList={false}
          disabled={busy}
          beforeUpload={(chosen) => {
            setFile(chosen);
            setReport(null);
            setError(null);
            return false;
          }}
        >
          <p className="ant-upload-drag-icon">
            <InboxOutlined />
          </p>
          <p className="ant-upload-text">{t('segments.dropText')}</p>
          {file ? <p className="ant-upload-hint">{file.name}</p> : null}
        </Upload.Dragger>
      </div>
      <Flex gap={8} style={{ marginTop: 12 }}>
        <Button
          disabled={!file || busy}
          loading={busy}
          onClick={() => send(false)}
          data-testid="segments-check"
        >
          {t('segments.check')}
        </Button>
        <Button
          type="primary"
          disabled={!file || busy || !report || report.applied !== null}
          onClick={() => send(true)}
          data-testid="segments-apply"
        >
          {t('segments.apply')}
        </Button>
      </Flex>
      {error ? (
        <div style={{ marginTop: 12 }}>
          <ErrorAlert error={error} testId="segments-upload-error" />
        </div>
      ) : null}
      {report ? <Report report={report} /> : null}
    </Card>
  );
}

function VersionsCard({ view }: { view: SegmentsView }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const rollback = useMutation({
    mutationFn: (version: number | 'default') => api.post('/admin/data/segments/rollback', { version }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['admin', 'data'] }),
  });
  const { inUse } = view;
  return (
    <Card title={t('segments.versionsTitle')} style={{ marginTop: 16 }}>
      <Flex gap={8} wrap align="center" style={{ marginBottom: 12 }}>
        <Typography.Text strong>{t('segments.inUse')}:</Typography.Text>
        <Typography.Text data-testid="segments-in-use">
          {inUse.versionId === null
            ? t('segments.inUseDefault')
            : t('segments.inUseVersion', { id: inUse.versionId })}{' '}
          · {inUse.dataVersion} · {count(inUse.segments)}
        </Typography.Text>
        <Tag>{t('segments.overridesCount', { count: inUse.overrides })}</Tag>
        {inUse.versionId !== null ? (
          <Popconfirm title={t('segments.rollbackConfirm')} onConfirm={() => rollback.mutate('default')}>
            <Button size="small">{t('segments.rollbackDefault')}</Button>
          </Popconfirm>
        ) : null}
      </Flex>
      {rollback.isError ? <ErrorAlert error={rollback.error} /> : null}
      <Table
        size="small"
        scroll={{ x: 'max-content' }}
        rowKey="id"
        pagination={view.versions.length > 10 ? { pageSize: 10 } : false}
        dataSource={view.versions}
        locale={{ emptyText: t('segments.versionsEmpty') }}
        data-testid="segments-versions"
        columns={[
          { title: 'ID', dataIndex: 'id', width: 70 },
          { title: t('segments.file'), dataIndex: 'fileName', ellipsis: true },
          { title: t('segments.fileVersion'), dataIndex: 'dataVersion' },
          {
            title: t('segments.segmentCount'),
            dataIndex: 'segments',
            align: 'right',
            render: (v: number) => count(v),
          },
          { title: t('segments.by'), dataIndex: 'createdBy' },
          { title: t('segments.at'), dataIndex: 'createdAt', render: dateTime },
          {
            title: t('common.actions'),
            key: 'rollback',
            render: (_, row) =>
              row.id === inUse.versionId ? (
                <Tag color="green">{t('segments.inUse')}</Tag>
              ) : (
                <Popconfirm title={t('segments.rollbackConfirm')} onConfirm={() => rollback.mutate(row.id)}>
                  <Button size="small">{t('segments.rollback')}</Button>
                </Popconfirm>
              ),
          },
        ]}
      />
    </Card>
  );
}

function OverridesCard({ view }: { view: SegmentsView }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [form] = Form.useForm<SegmentOverrideInput>();
  const add = useMutation({
    mutationFn: (input: SegmentOverrideInput) => api.post('/admin/data/segments/overrides', input),
    onSuccess: () => {
      form.resetFields();
      void client.invalidateQueries({ queryKey: ['admin', 'data'] });
    },
  });
  return (
    <Card title={t('segments.overridesTitle')} style={{ marginTop: 16 }}>
      <Typography.Paragraph type="secondary">{t('segments.overridesHint')}</Typography.Paragraph>
      <Form form={form} layout="inline" onFinish={(input) => add.mutate(input)} style={{ rowGap: 8 }}>
        <Form.Item name="prefixes" rules={[{ required: true }]}>
          <Input
            placeholder={t('segments.prefixes')}
            style={{ width: 190 }}
            data-testid="segments-override-prefixes"
          />
        </Form.Item>
        {(['province', 'city', 'zip', 'areaCode', 'type', 'note'] as const).map((field) => (
          <Form.Item key={field} name={field}>
            <Input
              placeholder={t(`segments.${field}`)}
              style={{ width: 130 }}
              data-testid={`segments-override-${field}`}
            />
          </Form.Item>
        ))}
        <Button type="primary" htmlType="submit" loading={add.isPending} data-testid="segments-override-add">
          {t('segments.add')}
        </Button>
      </Form>
      {add.isError ? (
        <div style={{ marginTop: 12 }}>
          <ErrorAlert error={add.error} />
        </div>
      ) : null}
      <div style={{ marginTop: 12 }}>
        <OverridesTable rows={view.overrides} actions />
      </div>
    </Card>
  );
}

function CoverageCard({ view }: { view: SegmentsView }) {
  const { t } = useTranslation();
  const rows = [
    ...view.coverage.blocks.filter((b) => b.allocated > 0 || b.present > 0),
    { block: t('segments.total'), carriers: '', ...view.coverage.totals },
  ];
  return (
    <Card title={t('segments.coverageTitle')} style={{ marginTop: 16 }}>
      <Typography.Paragraph type="secondary">{t('segments.coverageHint')}</Typography.Paragraph>
      <Table
        size="small"
        rowKey="block"
        pagination={false}
        scroll={{ x: 'max-content', y: 420 }}
        dataSource={rows}
        data-testid="segments-coverage"
        columns={[
          { title: t('segments.block'), dataIndex: 'block', width: 80 },
          { title: t('segments.carriers'), dataIndex: 'carriers' },
          {
            title: t('segments.allocated'),
            dataIndex: 'allocated',
            align: 'right',
            render: (v: number) => count(v),
          },
          {
            title: t('segments.present'),
            dataIndex: 'present',
            align: 'right',
            render: (v: number) => count(v),
          },
          {
            title: t('segments.missing'),
            dataIndex: 'missing',
            align: 'right',
            render: (v: number) =>
              v > 0 ? <Typography.Text type="warning">{count(v)}</Typography.Text> : count(v),
          },
          {
            title: t('segments.outsidePlan'),
            dataIndex: 'outsidePlan',
            align: 'right',
            render: (v: number) => count(v),
          },
        ]}
      />
    </Card>
  );
}

export function SegmentsSection() {
  const { t } = useTranslation();
  const view = useQuery({
    queryKey: SEGMENTS_KEY,
    queryFn: () => api.get<SegmentsView>('/admin/data/segments'),
  });
  return (
    <>
      <Typography.Title level={4} style={{ marginTop: 24 }}>
        {t('segments.title')}
      </Typography.Title>
      <UploadCard />
      {view.isPending ? (
        <Loading />
      ) : view.isError ? (
        <LoadFailed error={view.error} onRetry={() => void view.refetch()} />
      ) : (
        <>
          <VersionsCard view={view.data} />
          <OverridesCard view={view.data} />
          <CoverageCard view={view.data} />
        </>
      )}
    </>
  );
}
