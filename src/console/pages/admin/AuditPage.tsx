import { Link } from 'react-router';
import { Card, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { AuditRow } from '../../../wire/console-api';
import { KeyValueTags } from '../../components/KeyValues';
import { PagedTable, usePagedList } from '../../components/PagedTable';
import { PageTitle } from '../../components/PageTitle';
import { dateTime } from '../../lib/format';

export function AuditPage() {
  const { t, i18n } = useTranslation();
  const audit = usePagedList<AuditRow>({
    key: ['admin', 'audit'],
    path: '/admin/audit',
    params: { limit: 50 },
    keepPrevious: true,
  });
  const actionText = (action: string) =>
    i18n.exists(`audit.actions.${action.replace(/\./g, '_')}`)
      ? t(`audit.actions.${action.replace(/\./g, '_')}`)
      : action;

  return (
    <>
      <PageTitle title={t('audit.title')} subtitle={t('audit.subtitle')} />
      <Card>
        <PagedTable
          list={audit}
          data-testid="audit-table"
          scroll={{ x: 1000 }}
          empty={t('audit.empty')}
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
      </Card>
    </>
  );
}
