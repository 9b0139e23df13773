import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { AccountStatus, FeeType } from '../../../wire/console-api';

export const ACCOUNTS_KEY = ['admin', 'accounts'] as const;

export function StatusTag({ status }: { status: AccountStatus }) {
  const { t } = useTranslation();
  return <Tag color={status === 'active' ? 'success' : 'error'}>{t(`accountStatus.${status}`)}</Tag>;
}

export function FeeTag({ feeType }: { feeType: FeeType }) {
  const { t } = useTranslation();
  return <Tag color={feeType === 'prepaid' ? 'blue' : 'purple'}>{t(`feeType.${feeType}`)}</Tag>;
}
