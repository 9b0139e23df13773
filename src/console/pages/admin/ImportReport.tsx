import { Descriptions, Table, Tag, Typography } from 'antd';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { DataImportView, ImportStatus } from '../../../wire/console-api';
import { feedProblemText } from '../../i18n/words';
import { EmptyState } from '../../components/feedback';
import { KeyValueList } from '../../components/KeyValues';
import { count, dateTime } from '../../lib/format';

const STATUS_COLORS: Record<ImportStatus, string> = {
  running: 'processing',
  applied: 'success',
  rejected: 'warning',
  failed: 'error',
};

export function ImportStatusTag({ status, testId }: { status: ImportStatus; testId?: string }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATUS_COLORS[status]} data-testid={testId}>
      {t(`importStatus.${status}`)}
    </Tag>
  );
}

interface Problem {
  line: number | string;
  reason: string;
}

/**
 * A feed report (`{kind, rows, valid, invalid, problems: [{line, reason}]}`, src/data/ported-feed.ts)
 * split into its counts and its listed lines; any other shape still shows as fields, never as JSON.
 */
function splitReport(report: unknown): { summary: Record<string, unknown>; problems: Problem[] } {
  const summary: Record<string, unknown> = {};
  const problems: Problem[] = [];
  if (!report || typeof report !== 'object') return { summary, problems };
  for (const [key, value] of Object.entries(report as Record<string, unknown>)) {
    const rows = Array.isArray(value) ? value : null;
    if (rows && rows.length > 0 && rows.every((row) => row && typeof row === 'object' && 'line' in row)) {
      for (const row of rows as Record<string, unknown>[]) {
        problems.push({
          line: (row.line as number | string) ?? '—',
          reason: String(row.reason ?? row.problem ?? row.message ?? ''),
        });
      }
    } else if (rows && rows.length === 0) {
      continue;
    } else {
      summary[key] = value;
    }
  }
  return { summary, problems };
}

/**
 * How an import ended, in the console's words, from its counts: the server's own message is
 * English and is shown only for what the counts cannot say (a failure of the server itself).
 */
export function importOutcomeText(t: TFunction, view: DataImportView): string {
  const report = (view.report ?? {}) as Record<string, unknown>;
  const num = (key: string) => (typeof report[key] === 'number' ? (report[key] as number) : 0);
  if (view.status === 'running') return t('common.none');
  if (view.status === 'applied') {
    if (view.rows === 0 && num('valid') === num('alreadyApplied')) return t('importOutcome.unchanged');
    const done =
      view.kind === 'full'
        ? t('importOutcome.full', { rows: count(view.rows) })
        : t('importOutcome.delta', { first: report.firstSeq, last: report.lastSeq, rows: count(view.rows) });
    return num('invalid') > 0
      ? `${done} ${t('importOutcome.skipped', { invalid: count(num('invalid')) })}`
      : done;
  }
  if (view.status === 'rejected' && num('invalid') > 0) {
    return t('importOutcome.invalid', { invalid: count(num('invalid')), total: count(num('rows')) });
  }
  return view.message || t('common.none');
}

export function ImportReport({ view }: { view: DataImportView }) {
  const { t } = useTranslation();
  const { summary, problems } = splitReport(view.report);
  return (
    <div data-testid="data-import-report">
      <Descriptions
        bordered
        size="small"
        column={{ xs: 1, sm: 1, md: 2, lg: 2, xl: 3, xxl: 3 }}
        items={[
          {
            key: 'status',
            label: t('data.import.status'),
            children: <ImportStatusTag status={view.status} />,
          },
          { key: 'kind', label: t('data.import.kind'), children: t(`importKind.${view.kind}`) },
          { key: 'file', label: t('data.import.file'), children: view.fileName },
          { key: 'rows', label: t('data.import.rows'), children: count(view.rows) },
          { key: 'operator', label: t('data.import.operator'), children: view.operator },
          { key: 'at', label: t('data.import.at'), children: dateTime(view.at) },
          { key: 'finished', label: t('data.import.finishedAt'), children: dateTime(view.finishedAt) },
          {
            key: 'message',
            label: t('data.import.message'),
            span: 'filled',
            children: importOutcomeText(t, view),
          },
        ]}
      />
      {Object.keys(summary).length > 0 ? (
        <>
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            {t('data.import.reportSummary')}
          </Typography.Title>
          <KeyValueList value={summary} column={3} />
        </>
      ) : null}
      <Typography.Title level={5} style={{ marginTop: 16 }}>
        {t('data.import.problems')}
      </Typography.Title>
      {problems.length === 0 ? (
        <EmptyState
          text={view.status === 'running' ? t('data.import.stillRunning') : t('data.import.noProblems')}
        />
      ) : (
        <Table<Problem>
          size="small"
          rowKey={(row) => `${row.line}:${row.reason}`}
          dataSource={problems}
          pagination={problems.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
          scroll={{ x: 480 }}
          data-testid="data-import-problems"
          columns={[
            { title: t('data.import.line'), dataIndex: 'line', width: 100 },
            {
              title: t('data.import.reason'),
              dataIndex: 'reason',
              render: (reason: string) => feedProblemText(t, reason),
            },
          ]}
        />
      )}
    </div>
  );
}
