import { Link } from 'react-router';
import { Card, Table, Tag, Typography } from 'antd';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { AuditRow, Page } from '../../api/types';
import { CursorPager, useCursorPages } from '../../components/CursorPager';
import { EmptyState, ErrorAlert } from '../../components/feedback';
import { KeyValueTags } from '../../components/KeyValues';
import { PageTitle } from '../../components/PageTitle';
import { dateTime } from '../../lib/format';

export function AuditPage() {
  const { t, i18n } = useTranslation();
  const pages = useCursorPages();
  const audit = useQuery({
    queryKey: ['admin', 'audit', pages.before],
    queryFn: () => api.get<Page<AuditRow>>('/admin/audit', { before: pages.before, limit: 50 }),
    placeholderData: keepPreviousData,
  });
  const actionText = (action: string) =>
    i18n.exists(`audit.actions.${action.replace(/\./g, '_')}`)
      ? t(`audit.actions.${action.replace(/\./g, '_')}`)
      : action;

  return (
    <>
      <PageTitle title={t('audit.title')} subtitle={t('audit.subtitle')} />
      <Card>
        {audit.isError ? (
          <ErrorAlert error={audit.error} onRetry={() => void audit.refetch()} />
        ) : (
          <>
            <Table<AuditRow>
              data-testid="audit-table"
              size="middle"
              rowKey="id"
              loading={audit.isFetching}
              dataSource={audit.data?.rows ?? []}
              pagination={false}
              scroll={{ x: 1000 }}
              locale={{ emptyText: <EmptyState text={t('audit.empty')} /> }}
              columns={[
                { title: t('audit.at'), dataIndex: 'at', width: 170, render: dateTime },
                { title: t('audit.operator'), dataIndex: 'operator', width: 120 },
                {
                  title: t('audit.action'),
                  dataIndex: 'action',
                  width: 170,
                  render: (action: string) => (
                    <Tag color="blue" title={action}>
                      {actionText(action)}
                    </Tag>
                  ),
                },
                {
                  title: t('audit.target'),
                  dataIndex: 'target',
                  width: 140,
                  render: (target: string | null) => {
                    if (!target) return t('common.none');
                    const account = /^account:(\d+)$/.exec(target);
                    return account ? (
                      <Link to={`/admin/accounts/${account[1]}`}>
                        {t('audit.accountTarget', { id: account[1] })}
                      </Link>
                    ) : (
                      <Typography.Text code>{target}</Typography.Text>
                    );
                  },
                },
                {
                  title: t('audit.details'),
                  dataIndex: 'details',
                  render: (details: unknown) => <KeyValueTags value={details} />,
                },
                { title: t('audit.ip'), dataIndex: 'ip', width: 140 },
              ]}
            />
            <CursorPager pages={pages} next={audit.data?.next} loading={audit.isFetching} />
          </>
        )}
      </Card>
    </>
  );
}
