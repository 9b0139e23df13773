import type { ReactNode } from 'react';
import { Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import type { TFunction } from 'i18next';
import type { ApiKey } from '../../../wire/console-api';
import { dateTime } from '../../lib/format';

/**
 * The columns every key table shows, so apikeys, APPCODEs and signed pairs read alike: what
 * names the key (its hint, or its AppKey), label, creation, state, and a revoke action while
 * it is active.
 */
export function keyColumns(
  t: TFunction,
  named: { title: string; field: 'hint' | 'appKey' },
  revokeAction: (key: ApiKey) => ReactNode,
): TableColumnsType<ApiKey> {
  return [
    {
      title: named.title,
      dataIndex: named.field,
      width: 200,
      render: (text: string) => <Typography.Text code>{text}</Typography.Text>,
    },
    {
      title: t('access.label'),
      dataIndex: 'label',
      render: (value: string | null) => value || t('common.none'),
    },
    { title: t('access.created'), dataIndex: 'createdAt', width: 180, render: dateTime },
    {
      title: t('access.state'),
      dataIndex: 'revokedAt',
      width: 230,
      render: (at: string | null) =>
        at ? (
          <Tag>{t('access.revokedAt', { at: dateTime(at) })}</Tag>
        ) : (
          <Tag color="success">{t('access.active')}</Tag>
        ),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 100,
      fixed: 'right',
      render: (_, row) => (row.revokedAt ? null : revokeAction(row)),
    },
  ];
}
